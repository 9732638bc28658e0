import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { StewardError } from '../../core/errors.js';

function inside(root: string, file: string): string | null {
  const rel = path.relative(root, file);
  return rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? null : rel;
}

/** env_file entries of every service: a string, a list of strings, or (v2) a list of { path }. */
function envFileRefs(text: string, file: string): string[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new StewardError('E_CONFIG', `${file} is not valid YAML: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const services = (doc as { services?: unknown } | null)?.services;
  if (typeof services !== 'object' || services === null) return [];
  const refs: string[] = [];
  for (const service of Object.values(services as Record<string, unknown>)) {
    const envFile = (service as { env_file?: unknown } | null)?.env_file;
    for (const entry of Array.isArray(envFile) ? envFile : [envFile]) {
      const ref = typeof entry === 'string' ? entry : (entry as { path?: unknown } | null)?.path;
      // An interpolated path is only known to compose; it is not copied.
      if (typeof ref === 'string' && ref !== '' && !ref.includes('$')) refs.push(ref);
    }
  }
  return refs;
}

function copyDurably(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to); // keeps the mode: an .env of secrets stays 0600
  const fd = fs.openSync(to, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Copies the compose files, `.env`, the env_file files they name inside srcDir, and
 * `extraFiles` into snapshotDir, keeping their paths relative to srcDir, so that a rollback
 * re-applies exactly what ran. Built in a temporary directory and renamed into place: a
 * snapshot is either complete or absent. An existing snapshot is never overwritten.
 */
export function snapshotCompose(
  srcDir: string,
  files: string[],
  snapshotDir: string,
  opts: { extraFiles?: string[] } = {},
): string {
  const src = path.resolve(srcDir);
  const dest = path.resolve(snapshotDir);
  if (fs.existsSync(dest)) {
    throw new StewardError('E_CONFLICT', `snapshot ${dest} already exists`, {
      hint: 'snapshots are immutable; use a new directory per deployment',
    });
  }
  const copies = new Set<string>();
  for (const file of [...files, ...(opts.extraFiles ?? [])]) {
    const rel = inside(src, path.resolve(src, file));
    if (rel === null) {
      throw new StewardError('E_CONFIG', `${file} is outside the compose project directory ${src}`);
    }
    if (!fs.existsSync(path.join(src, rel)))
      throw new StewardError('E_NOT_FOUND', `${file} not found in ${src}`);
    copies.add(rel);
  }
  if (fs.existsSync(path.join(src, '.env'))) copies.add('.env');
  for (const file of files) {
    const absolute = path.resolve(src, file);
    for (const ref of envFileRefs(fs.readFileSync(absolute, 'utf8'), file)) {
      // Relative to the project directory (what --project-directory makes it), else to the file.
      const found = [path.resolve(src, ref), path.resolve(path.dirname(absolute), ref)].find((p) =>
        fs.existsSync(p),
      );
      const rel = found === undefined ? null : inside(src, found);
      if (rel !== null) copies.add(rel);
    }
  }

  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    fs.mkdirSync(tmp);
    for (const rel of copies) copyDurably(path.join(src, rel), path.join(tmp, rel));
    fs.renameSync(tmp, dest);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  const dirFd = fs.openSync(path.dirname(dest), 'r');
  try {
    fs.fsyncSync(dirFd);
  } finally {
    fs.closeSync(dirFd);
  }
  return dest;
}
