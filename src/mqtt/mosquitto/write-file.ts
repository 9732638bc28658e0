import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Atomic replace (temp file in the same directory, fsync, rename, fsync the directory) that also
 * gives the new file the owner and group of the one it replaces, or the directory's group when it
 * is new. core's writeFileAtomic leaves the file root:root, which a broker running as `mosquitto`
 * cannot read at mode 0640: on its next SIGHUP it would lose every user.
 */
export function replaceFile(file: string, content: string, mode: number): void {
  const dir = path.dirname(file);
  const owner = ownerFor(file, dir);
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'wx', mode);
  try {
    try {
      fs.fchmodSync(fd, mode); // the umask would otherwise trim it
      if (owner) chownQuietly(fd, owner);
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

function ownerFor(file: string, dir: string): { uid: number; gid: number } | null {
  try {
    const st = fs.statSync(file);
    return { uid: st.uid, gid: st.gid };
  } catch {
    try {
      const st = fs.statSync(dir);
      return { uid: process.getuid?.() ?? st.uid, gid: st.gid };
    } catch {
      return null;
    }
  }
}

function chownQuietly(fd: number, owner: { uid: number; gid: number }): void {
  try {
    fs.fchownSync(fd, owner.uid, owner.gid);
  } catch (err) {
    // Not root: we can only hand the file to ourselves, which is what the file already is.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
  }
}
