import fs from 'node:fs';
import path from 'node:path';
import { StewardError } from '../../core/errors.js';
import { unifiedDiff } from './diff.js';
import {
  type AclEntry,
  parsePasswdFile,
  renderAclFile,
  renderConfSnippet,
  renderPasswdFile,
} from './files.js';
import { type ReloadSpec, reloadBroker } from './reload.js';
import { replaceFile } from './write-file.js';

export interface MosquittoUserSpec {
  name: string;
  password: string;
  acl: readonly AclEntry[];
}

export interface ApplyMosquittoSpec {
  /** Where steward.conf, passwd and acl live (created when missing). */
  dir: string;
  users: readonly MosquittoUserSpec[];
  patterns: readonly AclEntry[];
  listeners: readonly { port: number; bind?: string }[];
  /** Default true. */
  persistence?: boolean;
  /** Omitted: files are written and the broker is left alone. */
  reload?: ReloadSpec;
  iterations?: number;
  dryRun?: boolean;
}

export interface AppliedFile {
  path: string;
  changed: boolean;
  /** Unified-style, hashes masked; '' when unchanged. */
  diff: string;
}

export interface ApplyMosquittoResult {
  files: AppliedFile[];
  usersChanged: string[];
  usersRemoved: string[];
  reloaded: 'signal' | 'command' | 'not-running' | 'none' | 'dry-run';
}

export const fileMode = 0o640;

function readIfExists(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StewardError('E_EXTERNAL', `cannot read ${file}`, { cause: err });
  }
}

/**
 * Brings the broker's auth files in `dir` to the spec, rewriting only what differs, then reloads
 * the broker if anything was written. Nothing returned or thrown holds a password or a hash.
 */
export async function applyMosquitto(spec: ApplyMosquittoSpec): Promise<ApplyMosquittoResult> {
  if (spec.reload?.pidFile !== undefined && spec.reload.command !== undefined) {
    throw new StewardError(
      'E_CONFIG',
      'set either reload.pidFile or reload.command for the MQTT broker, not both',
    );
  }
  if (!path.isAbsolute(spec.dir)) {
    throw new StewardError(
      'E_CONFIG',
      `the Mosquitto directory ${JSON.stringify(spec.dir)} must be an absolute path`,
    );
  }
  const passwdPath = path.join(spec.dir, 'passwd');
  const aclPath = path.join(spec.dir, 'acl');
  const confPath = path.join(spec.dir, 'steward.conf');

  // Render everything first: a config error must leave every file as it was.
  const oldPasswd = readIfExists(passwdPath);
  const passwd = renderPasswdFile(spec.users, parsePasswdFile(oldPasswd ?? ''), {
    ...(spec.iterations === undefined ? {} : { iterations: spec.iterations }),
  });
  const acl = renderAclFile({ users: spec.users, patterns: spec.patterns });
  const conf = renderConfSnippet({
    listeners: spec.listeners,
    passwordFile: passwdPath,
    aclFile: aclPath,
    persistence: spec.persistence ?? true,
  });

  const planned = [
    { path: confPath, before: readIfExists(confPath), after: conf },
    { path: passwdPath, before: oldPasswd, after: passwd.text },
    { path: aclPath, before: readIfExists(aclPath), after: acl },
  ];
  const files = planned.map((f) => ({
    path: f.path,
    changed: f.before !== f.after,
    diff: f.before === f.after ? '' : unifiedDiff(path.basename(f.path), f.before, f.after),
  }));
  const result = { files, usersChanged: passwd.changed, usersRemoved: passwd.removed };
  if (spec.dryRun) return { ...result, reloaded: 'dry-run' };

  fs.mkdirSync(spec.dir, { recursive: true, mode: 0o750 });
  // passwd before acl: a broker reloaded in between sees a new user without rights, never the reverse.
  for (const f of planned) if (f.before !== f.after) replaceFile(f.path, f.after, fileMode);

  const anyChanged = files.some((f) => f.changed);
  if (!anyChanged || spec.reload === undefined) return { ...result, reloaded: 'none' };
  try {
    return { ...result, reloaded: await reloadBroker(spec.reload) };
  } catch (err) {
    if (!(err instanceof StewardError)) throw err;
    // The files are in place; a later apply finds nothing to change and would not retry the reload.
    throw new StewardError(err.code, `files written, but the broker reload failed: ${err.message}`, {
      hint: err.hint ?? 'reload the broker by hand (SIGHUP or restart) so it reads the new users',
      cause: err,
      details: err.details,
    });
  }
}
