import type { AclEntry } from '../mosquitto/index.js';
import { topicMatches } from '../topic-filter.js';

/**
 * Mosquitto 2.0's acl_file semantics, as pure functions: what the broker *should* answer for a
 * user, a client id and a topic. Mirrors src/security_default.c (mosquitto_acl_check_default),
 * src/security.c (acl__check_dollar) and lib/util_topic.c (mosquitto_topic_matches_sub) of 2.0.
 */

export type Access = 'allowed' | 'denied';
export type AclAction = 'read' | 'write';

export interface AclSubject {
  /** null for an anonymous client. */
  user: string | null;
  /** The client id of the connection whose access is checked (`%c`). */
  clientId: string;
  /** The user's own `topic` lines. */
  rules: readonly AclEntry[];
  /** The global `pattern` lines, unsubstituted. */
  patterns: readonly AclEntry[];
}

export { topicMatches } from '../topic-filter.js';

/**
 * A pattern with `%c` and `%u` substituted, left to right as the broker does (`%%u` keeps the
 * first `%`). Null when the pattern has `%u` and the client is anonymous: the broker skips it.
 */
export function applyPattern(pattern: string, user: string | null, clientId: string): string | null {
  if (user === null && pattern.includes('%u')) return null;
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    const next = pattern[i + 1];
    if (c === '%' && next === 'c') {
      out += clientId;
      i++;
    } else if (c === '%' && next === 'u' && user !== null) {
      out += user;
      i++;
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * Mosquitto denies every pattern to a username or client id holding `+` or `#` (they would be
 * wildcards once substituted). Mosquitto 1.x also refused `/`; 2.0 does not, so a `/` in a
 * username simply adds levels to the substituted filter.
 */
export function hasDangerousChars(s: string): boolean {
  return s.includes('+') || s.includes('#');
}

/** `$SYS` is read-only to clients (bar bridge state), `$share/…` is only for subscriptions. */
function dollarCheck(topic: string, action: AclAction): Access | null {
  if (!topic.startsWith('$')) return null;
  if (topic.startsWith('$SYS')) {
    if (action === 'write' && !topicMatches('$SYS/broker/connection/+/state', topic)) return 'denied';
    return null;
  }
  if (topic.startsWith('$share')) return 'denied';
  return null;
}

function grants(access: AclEntry['access'], action: AclAction): boolean {
  return access === 'readwrite' || access === action;
}

/** One list in the broker's order: deny lines first (a match denies), then the first granting match. */
function decide(
  filters: readonly { filter: string; access: AclEntry['access'] }[],
  topic: string,
  action: AclAction,
) {
  for (const e of filters) if (e.access === 'deny' && topicMatches(e.filter, topic)) return 'denied';
  for (const e of filters) if (grants(e.access, action) && topicMatches(e.filter, topic)) return 'allowed';
  return null;
}

/**
 * What Mosquitto 2.0 answers. The user's own lines decide first (their deny lines win over
 * their grants); only if none matched do the patterns decide, so a `deny` pattern does not take
 * back what a user line grants. Nothing matching is a denial.
 */
export function expectedAccess(subject: AclSubject, topic: string, action: AclAction): Access {
  const dollar = dollarCheck(topic, action);
  if (dollar) return dollar;
  const own = decide(
    subject.rules.map((r) => ({ filter: r.topic, access: r.access })),
    topic,
    action,
  );
  if (own) return own;
  if (subject.patterns.length === 0) return 'denied';
  if (subject.user !== null && hasDangerousChars(subject.user)) return 'denied';
  if (hasDangerousChars(subject.clientId)) return 'denied';
  const applied: { filter: string; access: AclEntry['access'] }[] = [];
  for (const p of subject.patterns) {
    const filter = applyPattern(p.topic, subject.user, subject.clientId);
    if (filter !== null) applied.push({ filter, access: p.access });
  }
  return decide(applied, topic, action) ?? 'denied';
}
