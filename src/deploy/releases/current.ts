import fs from 'node:fs';
import path from 'node:path';
import { StewardError } from '../../core/errors.js';
import { type ReleaseLayout, releasePath, tmpOwnerPid } from './layout.js';
import { isValidVersion } from './version.js';

function fsyncDirSync(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function notASymlink(current: string): StewardError {
  return new StewardError('E_CONFLICT', `${current} exists and is not a symlink`, {
    hint: 'move it aside: Steward manages this path as a symlink to the active release',
  });
}

/** Remove `<current>.tmp-*` links left by a crash between symlink() and rename(). */
function removeStaleLinks(current: string): void {
  const dir = path.dirname(current);
  const prefix = `${path.basename(current)}.tmp-`;
  for (const name of fs.readdirSync(dir)) {
    if (!name.startsWith(prefix)) continue;
    const pid = tmpOwnerPid(name);
    if (pid !== null && pid !== process.pid && isAlive(pid)) continue;
    if (lstatOrNull(path.join(dir, name))?.isSymbolicLink()) fs.rmSync(path.join(dir, name), { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Point `current` at releasesDir/<version> atomically: a new symlink is made beside it and
 * renamed over it, and rename(2) replaces the old link in one step, so a reader sees the old
 * release or the new one, never nothing. The target is relative when releasesDir and current
 * sit in the same directory (the pair can then be moved or bind-mounted together).
 */
export function switchCurrent(layout: ReleaseLayout, version: string): void {
  const release = releasePath(layout, version);
  if (!lstatOrNull(release)?.isDirectory()) {
    throw new StewardError('E_NOT_FOUND', `release ${version} is not installed (${release})`, {
      hint: 'install it first; `listReleases` shows what is there',
    });
  }
  const current = path.resolve(layout.current);
  const existing = lstatOrNull(current);
  if (existing !== null && !existing.isSymbolicLink()) throw notASymlink(current);

  const parent = path.dirname(current);
  const sameParent = path.dirname(path.resolve(layout.releasesDir)) === parent;
  const target = sameParent ? path.relative(parent, release) : release;

  fs.mkdirSync(parent, { recursive: true });
  removeStaleLinks(current);
  const random = Math.random().toString(16).slice(2, 10);
  const tmp = `${current}.tmp-${process.pid}-${random}`;
  fs.symlinkSync(target, tmp);
  try {
    fs.renameSync(tmp, current);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDirSync(parent);
}

/** The version `current` points at, or null when there is no link or it points outside releasesDir. */
export function currentVersion(layout: ReleaseLayout): string | null {
  const current = path.resolve(layout.current);
  let target: string;
  try {
    target = fs.readlinkSync(current);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'EINVAL') throw notASymlink(current);
    throw err;
  }
  const resolved = path.resolve(path.dirname(current), target);
  const version = path.basename(resolved);
  if (!isValidVersion(version)) return null;
  const releasesDir = path.resolve(layout.releasesDir);
  if (path.dirname(resolved) === releasesDir) return version;
  // The same directory may be reached through a symlink on one side only.
  try {
    return fs.realpathSync(path.dirname(resolved)) === fs.realpathSync(releasesDir) ? version : null;
  } catch {
    return null;
  }
}
