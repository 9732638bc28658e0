import fs from 'node:fs';
import { writeFileAtomic } from '../../core/fs-atomic.js';
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

/** The original's mode and (where allowed) owner are kept; the rename is atomic and durable. */
function writeAtomic(file: string, text: string): void {
  const stat = fs.statSync(file);
  writeFileAtomic(file, text, stat.mode & 0o7777, { owner: { uid: stat.uid, gid: stat.gid } });
}
