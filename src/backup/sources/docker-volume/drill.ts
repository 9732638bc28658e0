import fs from 'node:fs';
import path from 'node:path';
import type { DrillCheck } from '../../types.js';

export interface TreeCounts {
  files: number;
  directories: number;
  symlinks: number;
  other: number;
  bytes: number;
}

/** Walks the tree, opening every directory and checking every file is readable. */
export async function countTree(root: string): Promise<TreeCounts> {
  const counts: TreeCounts = { files: 0, directories: 0, symlinks: 0, other: 0, bytes: 0 };
  const walk = async (dir: string): Promise<void> => {
    for (const dirent of await fs.promises.readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, dirent.name);
      if (dirent.isDirectory()) {
        counts.directories++;
        await walk(full);
      } else if (dirent.isSymbolicLink()) {
        counts.symlinks++;
      } else if (dirent.isFile()) {
        await fs.promises.access(full, fs.constants.R_OK);
        counts.files++;
        counts.bytes += (await fs.promises.stat(full)).size;
      } else {
        counts.other++;
      }
    }
  };
  await walk(root);
  return counts;
}

/** A volume is plain files: usable when the restored tree can be walked and read. */
export async function drillTree(extractedDir: string): Promise<DrillCheck> {
  try {
    const counts = await countTree(extractedDir);
    return {
      ok: true,
      message: `${counts.files} files (${counts.bytes} bytes), ${counts.directories} directories, ${counts.symlinks} symlinks readable`,
      details: { ...counts },
    };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return {
      ok: false,
      message: `the restored volume is not readable: ${e.message}`,
      details: { code: e.code, path: e.path },
    };
  }
}
