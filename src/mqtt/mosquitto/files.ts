import { StewardError } from '../../core/errors.js';
import { defaultIterations, hashPassword, parseHash, verifyPassword } from './password.js';
import { validateConfPath, validateListener, validateTopic, validateUsername } from './validate.js';

/** Renders the three files Steward owns for a Mosquitto 2 broker: passwd, acl and a conf snippet. */

export type AclAccess = 'read' | 'write' | 'readwrite' | 'deny';
const accessKinds: readonly AclAccess[] = ['read', 'write', 'readwrite', 'deny'];

export interface AclEntry {
  topic: string;
  access: AclAccess;
}

export interface PasswdUser {
  name: string;
  password: string;
}

export interface AclUser {
  name: string;
  acl: readonly AclEntry[];
}

const managedHeader = '# Managed by Steward: edits here are overwritten on the next apply.\n';

/** user → hash. Blank lines and `#` comments are skipped, as the broker does; the first entry of a user wins. */
export function parsePasswdFile(text: string): Map<string, string> {
  const users = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon);
    if (!users.has(name)) users.set(name, line.slice(colon + 1));
  }
  return users;
}

export interface RenderPasswdOptions {
  iterations?: number;
}

export interface RenderedPasswd {
  text: string;
  /** Users added or whose hash was replaced. */
  changed: string[];
  /** Users in `existing` that are no longer configured. */
  removed: string[];
}

function noDuplicates(names: readonly string[], what: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name))
      throw new StewardError('E_CONFIG', `MQTT user ${JSON.stringify(name)} appears twice in ${what}`);
    seen.add(name);
  }
}

/**
 * A password file for `users`, in their order. An existing hash that still verifies the configured
 * password is kept (a fresh salt every run would rewrite the file and reload the broker for
 * nothing); it is replaced when it does not verify, is a legacy `$6$`, or has another iteration count.
 */
export function renderPasswdFile(
  users: readonly PasswdUser[],
  existing: ReadonlyMap<string, string>,
  opts: RenderPasswdOptions = {},
): RenderedPasswd {
  const iterations = opts.iterations ?? defaultIterations;
  noDuplicates(
    users.map((u) => u.name),
    'the password list',
  );
  const changed: string[] = [];
  let text = managedHeader;
  for (const user of users) {
    validateUsername(user.name);
    const old = existing.get(user.name);
    const parsed = old === undefined ? null : parseHash(old);
    const keep =
      old !== undefined &&
      parsed?.type === '7' &&
      parsed.iterations === iterations &&
      verifyPassword(user.password, old);
    const hash = keep ? old : hashPassword(user.password, { iterations });
    if (!keep) changed.push(user.name);
    text += `${user.name}:${hash}\n`;
  }
  const configured = new Set(users.map((u) => u.name));
  const removed = [...existing.keys()].filter((name) => !configured.has(name));
  return { text, changed, removed };
}

export interface AclFileSpec {
  users: readonly AclUser[];
  /** Apply to every user; `%u` is the username, `%c` the client id. */
  patterns: readonly AclEntry[];
}

function aclLine(kind: 'topic' | 'pattern', entry: AclEntry, where: string): string {
  if (!accessKinds.includes(entry.access)) {
    throw new StewardError(
      'E_CONFIG',
      `ACL access ${JSON.stringify(entry.access)} (${where}) is not one of ${accessKinds.join(', ')}`,
    );
  }
  validateTopic(entry.topic, where);
  // Always spell out the access: a bare topic means readwrite, which a reader should not have to know.
  return `${kind} ${entry.access} ${entry.topic}\n`;
}

export function renderAclFile(spec: AclFileSpec): string {
  noDuplicates(
    spec.users.map((u) => u.name),
    'the ACL',
  );
  let text = managedHeader;
  if (spec.patterns.length > 0) {
    // Patterns are global wherever they appear; first, so no one reads them as the last user's.
    text += '\n# For every user (%u = username, %c = client id).\n';
    for (const entry of spec.patterns) text += aclLine('pattern', entry, 'pattern');
  }
  for (const user of spec.users) {
    validateUsername(user.name);
    text += `\nuser ${user.name}\n`;
    for (const entry of user.acl) text += aclLine('topic', entry, `user ${user.name}`);
  }
  return text;
}

export interface ConfSnippetSpec {
  listeners: readonly { port: number; bind?: string }[];
  passwordFile: string;
  aclFile: string;
  persistence: boolean;
}

/**
 * A mosquitto.conf fragment (for `include_dir` or as the whole file). With
 * `per_listener_settings false`, the default, the auth settings below bind every listener,
 * including ones the main file declares.
 */
export function renderConfSnippet(spec: ConfSnippetSpec): string {
  validateConfPath(spec.passwordFile, 'password_file');
  validateConfPath(spec.aclFile, 'acl_file');
  const ports = new Set<number>();
  let listeners = '';
  for (const l of spec.listeners) {
    validateListener(l.port, l.bind);
    if (ports.has(l.port)) throw new StewardError('E_CONFIG', `listener port ${l.port} is listed twice`);
    ports.add(l.port);
    listeners += `listener ${l.port}${l.bind === undefined ? '' : ` ${l.bind}`}\n`;
  }
  return (
    managedHeader +
    '# Auth is global (per_listener_settings false): it applies to every listener.\n' +
    'per_listener_settings false\n' +
    'allow_anonymous false\n' +
    `password_file ${spec.passwordFile}\n` +
    `acl_file ${spec.aclFile}\n` +
    `persistence ${spec.persistence ? 'true' : 'false'}\n` +
    listeners
  );
}
