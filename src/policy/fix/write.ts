import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FileFix } from './index.js';

/**
 * Writes every fixed file atomically: a temp file in the same directory (same filesystem, so the
 * rename is atomic), fsynced, given the original's mode (and owner, where allowed), renamed over
 * the original. A symlinked compose file keeps its link: the target is replaced.
 * Every file is checked first: if one changed since the plan was made, nothing is written.
 */
export function writeFixes(fixes: readonly FileFix[]): void {
  const targets = fixes.map((fix) => {
    const real = fs.realpathSync(fix.file);
    if (fs.readFileSync(real, 'utf8') !== fix.before) {
      throw new Error(`${fix.file} changed since the fixes were planned; run the fix again`);
    }
    return { real, after: fix.after };
  });
  for (const { real, after } of targets) writeAtomic(real, after);
}

function writeAtomic(file: string, text: string): void {
  const stat = fs.statSync(file);
  const mode = stat.mode & 0o7777;
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'wx', mode);
  try {
    try {
      fs.writeFileSync(fd, text, 'utf8');
      // open()'s mode passes through the umask; the original's mode is what the file should keep.
      fs.fchmodSync(fd, mode);
      try {
        fs.fchownSync(fd, stat.uid, stat.gid);
      } catch {
        // Only root may give a file away; everyone else keeps their own ownership, as an editor would.
      }
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  syncDir(dir);
}

/** Makes the rename itself durable; some platforms cannot open a directory, which is fine. */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
