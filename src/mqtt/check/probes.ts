import type { AclEntry } from '../mosquitto/index.js';
import {
  type Access,
  type AclSubject,
  applyPattern,
  expectedAccess,
  hasDangerousChars,
  topicMatches,
} from './model.js';
import { insideCandidates, intersect, OUTSIDE, outsideCandidates } from './topics.js';

/**
 * The plan of `steward mqtt check`, pure: for every user and rule, the probes that must be
 * allowed and the ones that must be denied, each on a concrete topic with the answer the model
 * expects from all of the user's rules (so overlapping rules are accounted for). Each probe has
 * its own client ids, known here, because `%c` patterns depend on them.
 */

export type ProbeAction = 'publish' | 'receive';

export interface PlanUser {
  name: string;
  acl: readonly AclEntry[];
}

export interface PlanOptions {
  users: readonly PlanUser[];
  patterns: readonly AclEntry[];
  /** Makes topics, payloads and client ids of one run unique. */
  nonce: string;
  /** Default `steward-check-<nonce>`; client ids are `<prefix>-<n>`. */
  clientIdPrefix?: string;
}

export interface PlannedProbe {
  user: string;
  /** The ACL line the probe is about (`topic read sensors/#`), or `outside every rule`. */
  rule: string;
  action: ProbeAction;
  topic: string;
  expected: Access;
  /** The client id of the probing connection (what `%c` means for it). */
  clientId: string;
  /** Receive probes: who publishes the message. Null when no user may: the probe is unverified. */
  writer: { user: string; clientId: string } | null;
  note?: string;
}

export interface ProbePlan {
  anonymousClientId: string;
  probes: PlannedProbe[];
}

export const OUTSIDE_EVERY_RULE = 'outside every rule';

type Region = { kind: 'inside' | 'outside'; filter: string } | { kind: 'outside-all' };

interface Rule {
  label: string;
  kind: 'topic' | 'pattern';
  entry: AclEntry;
}

interface ProbeSpec {
  user: PlanUser;
  rule: Rule | null;
  action: ProbeAction;
  prefer: Access;
}

const NO_WRITER = 'no configured user may publish here, so delivery cannot be tested';

export function planProbes(opts: PlanOptions): ProbePlan {
  const prefix = opts.clientIdPrefix ?? `steward-check-${opts.nonce}`;
  let n = 0;
  const nextId = () => `${prefix}-${++n}`;
  const { users, patterns, nonce } = opts;

  const subjectOf = (user: PlanUser, clientId: string): AclSubject => ({
    user: user.name,
    clientId,
    rules: user.acl,
    patterns,
  });

  /** The rule's filter for this connection; a `+`/`#` in the username is replaced so topics stay valid. */
  const filterOf = (rule: Rule, user: PlanUser, clientId: string): string =>
    rule.kind === 'topic'
      ? rule.entry.topic
      : (applyPattern(rule.entry.topic, user.name.replace(/[+#]/g, '_'), clientId) ?? rule.entry.topic);

  const writerGrants = (writerId: string): string[] => {
    const out: string[] = [];
    for (const w of users) {
      for (const r of w.acl) if (r.access === 'write' || r.access === 'readwrite') out.push(r.topic);
      for (const p of patterns) {
        if (p.access !== 'write' && p.access !== 'readwrite') continue;
        const f = applyPattern(p.topic, w.name, writerId);
        if (f !== null) out.push(f);
      }
    }
    return out;
  };

  const findWriter = (topic: string, subject: string, writerId: string): PlannedProbe['writer'] => {
    // Another user first: cross-user delivery is what the ACL is usually about.
    const ordered = [...users.filter((u) => u.name !== subject), ...users.filter((u) => u.name === subject)];
    for (const w of ordered) {
      if (expectedAccess(subjectOf(w, writerId), topic, 'write') === 'allowed') {
        return { user: w.name, clientId: writerId };
      }
    }
    return null;
  };

  const plan = (spec: ProbeSpec, region: (clientId: string) => Region): PlannedProbe | null => {
    const clientId = nextId();
    const writerId = spec.action === 'receive' ? nextId() : '';
    const subject = subjectOf(spec.user, clientId);
    const own = [
      ...spec.user.acl.map((r) => r.topic),
      ...patterns.flatMap((p) => applyPattern(p.topic, spec.user.name, clientId) ?? []),
    ];
    const grants = spec.action === 'receive' ? writerGrants(writerId) : [];
    const where = region(clientId);
    let candidates: string[];
    let inRegion: (t: string) => boolean;
    if (where.kind === 'inside') {
      const f = where.filter;
      candidates = [
        ...insideCandidates(f, nonce),
        ...[...own, ...grants].flatMap((g) => intersect(f, g, nonce) ?? []),
      ];
      inRegion = (t) => topicMatches(f, t);
    } else if (where.kind === 'outside') {
      const f = where.filter;
      candidates = [...outsideCandidates(f, nonce), ...grants.flatMap((g) => insideCandidates(g, nonce))];
      inRegion = (t) => !topicMatches(f, t);
    } else {
      candidates = [
        `${OUTSIDE}/${nonce}`,
        ...own.flatMap((g) => outsideCandidates(g, nonce)),
        ...grants.flatMap((g) => insideCandidates(g, nonce)),
      ];
      inRegion = (t) => own.every((g) => !topicMatches(g, t));
    }
    candidates = [...new Set(candidates)].filter((t) => !t.startsWith('$share'));
    const notes: string[] = [];
    const dangerous = spec.rule?.kind === 'pattern' && hasDangerousChars(spec.user.name);
    let usable = candidates.filter(inRegion);
    if (usable.length === 0) {
      if (where.kind !== 'outside-all' || candidates.length === 0) return null;
      notes.push('every topic is inside one of the rules');
      usable = candidates;
    }
    const access = spec.action === 'publish' ? 'write' : 'read';
    const scored = usable.map((topic, i) => {
      const expected = expectedAccess(subject, topic, access);
      const writer = spec.action === 'receive' ? findWriter(topic, spec.user.name, writerId) : null;
      const rank = (expected === spec.prefer ? 0 : 2) + (spec.action === 'receive' && !writer ? 1 : 0);
      return { topic, expected, writer, rank, i };
    });
    scored.sort((a, b) => a.rank - b.rank || a.i - b.i);
    const best = scored[0]!;
    if (dangerous) {
      notes.push('the username has + or #: Mosquitto applies no pattern to it');
    } else if (best.expected !== spec.prefer) {
      notes.push(
        spec.prefer === 'allowed'
          ? 'denied by another line (deny lines and user lines decide first)'
          : 'allowed by another rule on every candidate topic',
      );
    }
    if (spec.action === 'receive' && !best.writer) notes.push(NO_WRITER);
    return {
      user: spec.user.name,
      rule: spec.rule?.label ?? OUTSIDE_EVERY_RULE,
      action: spec.action,
      topic: best.topic,
      expected: best.expected,
      clientId,
      writer: best.writer,
      ...(notes.length ? { note: notes.join('; ') } : {}),
    };
  };

  const probes: PlannedProbe[] = [];
  const push = (p: PlannedProbe | null) => {
    if (p) probes.push(p);
  };
  for (const user of users) {
    const rules: Rule[] = [
      ...user.acl.map((entry) => ({ kind: 'topic' as const, entry })),
      ...patterns.map((entry) => ({ kind: 'pattern' as const, entry })),
    ].map((r) => ({ ...r, label: `${r.kind} ${r.entry.access} ${r.entry.topic}` }));
    for (const rule of rules) {
      const inside = (c: string): Region => ({ kind: 'inside', filter: filterOf(rule, user, c) });
      const outside = (c: string): Region => ({ kind: 'outside', filter: filterOf(rule, user, c) });
      const probe = (action: ProbeAction, prefer: Access, region: (c: string) => Region) =>
        plan({ user, rule, action, prefer }, region);
      switch (rule.entry.access) {
        case 'read':
          push(probe('receive', 'allowed', inside));
          push(probe('publish', 'denied', inside));
          break;
        case 'write':
          push(probe('publish', 'allowed', inside));
          push(probe('receive', 'denied', inside));
          break;
        case 'readwrite': {
          const allowed = [probe('publish', 'allowed', inside), probe('receive', 'allowed', inside)];
          const denied = [probe('publish', 'denied', outside), probe('receive', 'denied', outside)];
          if (denied.every((p) => p === null)) {
            for (const p of allowed) {
              if (p)
                p.note = [p.note, 'no denied probe: the filter matches every topic']
                  .filter(Boolean)
                  .join('; ');
            }
          }
          for (const p of [...allowed, ...denied]) push(p);
          break;
        }
        case 'deny':
          push(probe('publish', 'denied', inside));
          push(probe('receive', 'denied', inside));
          break;
      }
    }
    for (const action of ['publish', 'receive'] as const) {
      push(plan({ user, rule: null, action, prefer: 'denied' }, () => ({ kind: 'outside-all' })));
    }
  }
  return { anonymousClientId: `${prefix}-0`, probes };
}
