import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface AtomicWriteOptions {
  /** Give the new file this owner (e.g. that of the file it replaces); skipped when not root. */
  owner?: { uid: number; gid: number } | null;
}

/**
 * Write to a temporary name in the same directory, fsync, rename, fsync the directory: a crash
 * never leaves half a file under the real name. The temporary file is unique (two writers never
 * share it) and removed when anything fails.
 */
export function writeFileAtomic(
  file: string,
  content: string,
  mode: number,
  opts: AtomicWriteOptions = {},
): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'wx', mode);
  try {
    try {
      fs.fchmodSync(fd, mode); // open()'s mode passes through the umask
      if (opts.owner) chownUnlessUnprivileged(fd, opts.owner);
      fs.writeSync(fd, content);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  const dirFd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(dirFd);
  } finally {
    fs.closeSync(dirFd);
  }
}

function chownUnlessUnprivileged(fd: number, owner: { uid: number; gid: number }): void {
  try {
    fs.fchownSync(fd, owner.uid, owner.gid);
  } catch (err) {
    // Only root may give a file away; everyone else keeps their own ownership, as an editor would.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
  }
}
