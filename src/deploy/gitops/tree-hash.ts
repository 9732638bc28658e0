import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

export interface TreeEntry {
  /** Relative to the tree's root, `/`-separated. */
  path: string;
  /** Git's notation: 100644, 100755 or 120000 (symlink). */
  mode: string;
  /** sha256 (hex) of the content; of the link target for a symlink. */
  sha256: string;
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Lists a directory tree as git would see it: regular files (executable or not) and symlinks;
 * directories only through what they contain. Other kinds of entry cannot come out of git
 * archive and are ignored.
 */
export async function listTree(root: string): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  const walk = async (rel: string): Promise<void> => {
    const dirents = await readdir(join(root, rel), { withFileTypes: true });
    for (const d of dirents) {
      const relPath = rel === '' ? d.name : `${rel}/${d.name}`;
      const abs = join(root, relPath);
      if (d.isDirectory()) {
        await walk(relPath);
      } else if (d.isSymbolicLink()) {
        const target = await readlink(abs);
        entries.push({
          path: relPath,
          mode: '120000',
          sha256: createHash('sha256').update(target).digest('hex'),
        });
      } else if (d.isFile()) {
        const st = await lstat(abs);
        const mode = (st.mode & 0o111) !== 0 ? '100755' : '100644';
        entries.push({ path: relPath, mode, sha256: await sha256File(abs) });
      }
    }
  };
  await walk('');
  // Code-unit order: fixed and locale-independent, which is all a hash needs.
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** sha256 over sorted `path\0mode\0sha256(content)\n` lines: equal content, equal hash, whatever the commit. */
export function treeHash(entries: readonly TreeEntry[]): string {
  const hash = createHash('sha256');
  for (const e of entries) hash.update(`${e.path}\0${e.mode}\0${e.sha256}\n`);
  return hash.digest('hex');
}
