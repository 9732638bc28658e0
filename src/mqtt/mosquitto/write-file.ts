import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../../core/fs-atomic.js';

/**
 * Atomic replace that also gives the new file the owner and group of the one it replaces, or the
 * directory's group when it is new. Without an owner the file would be root:root, which a broker
 * running as `mosquitto` cannot read at mode 0640: on its next SIGHUP it would lose every user.
 */
export function replaceFile(file: string, content: string, mode: number): void {
  writeFileAtomic(file, content, mode, { owner: ownerFor(file, path.dirname(file)) });
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
