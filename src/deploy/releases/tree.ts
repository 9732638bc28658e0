import { createHash, type Hash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { chmod, copyFile, lstat, mkdir, open, readdir, readlink, symlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import { StewardError } from '../../core/errors.js';

/** Permission bits only: a release never carries set-id bits (as archive extraction does). */
const PERM_MASK = 0o1777;

async function sortedEntries(dir: string): Promise<string[]> {
  // Sorted so the hash is independent of the filesystem's directory order.
  return (await readdir(dir)).sort();
}

/**
 * Copy the tree at `src` into `dest` (which must not exist): directories, regular files with
 * their permission bits and mtimes, symlinks as they are. Devices, FIFOs and sockets are refused:
 * a release is code and assets. Directory modes are applied last so a read-only one still fills.
 */
export async function copyTree(src: string, dest: string): Promise<void> {
  const dirModes: Array<[string, number]> = [];
  async function walk(from: string, to: string): Promise<void> {
    await mkdir(to, { mode: 0o700 });
    for (const name of await sortedEntries(from)) {
      const s = path.join(from, name);
      const d = path.join(to, name);
      const st = await lstat(s);
      if (st.isDirectory()) {
        await walk(s, d);
        dirModes.push([d, st.mode & PERM_MASK]);
      } else if (st.isFile()) {
        await copyFile(s, d, constants.COPYFILE_EXCL);
        await chmod(d, st.mode & PERM_MASK);
        await utimes(d, st.atime, st.mtime);
      } else if (st.isSymbolicLink()) {
        await symlink(await readlink(s), d);
      } else {
        throw new StewardError(
          'E_USAGE',
          `cannot put ${s} into a release: not a file, directory or symlink`,
          {
            hint: 'remove sockets, FIFOs and device nodes from the release source',
          },
        );
      }
    }
  }
  await walk(src, dest);
  for (const [dir, mode] of dirModes) await chmod(dir, mode);
}

async function hashFile(file: string, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
}

/**
 * A content hash of the tree at `root`: relative paths, types, permission bits, file contents and
 * symlink targets. Mtimes and the root's own mode are left out so the same release rendered twice
 * (or delivered as a directory once and as a tarball once) hashes the same.
 */
export async function hashTree(root: string): Promise<string> {
  const hash = createHash('sha256');
  async function walk(dir: string, rel: string): Promise<void> {
    for (const name of await sortedEntries(dir)) {
      const abs = path.join(dir, name);
      const relPath = rel === '' ? name : `${rel}/${name}`;
      const st = await lstat(abs);
      const mode = st.mode & 0o7777;
      if (st.isDirectory()) {
        hash.update(`${JSON.stringify(['d', relPath, mode])}\n`);
        await walk(abs, relPath);
      } else if (st.isSymbolicLink()) {
        hash.update(`${JSON.stringify(['l', relPath, await readlink(abs)])}\n`);
      } else if (st.isFile()) {
        // The size frames the content, so no file's bytes can pose as the next entry's header.
        hash.update(`${JSON.stringify(['f', relPath, mode, st.size])}\n`);
        await hashFile(abs, hash);
      } else {
        hash.update(`${JSON.stringify(['?', relPath, mode])}\n`);
      }
    }
  }
  await walk(root, '');
  return hash.digest('hex');
}

async function fsyncPath(p: string): Promise<void> {
  const fh = await open(p, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsync every file and directory under `root` (children first), so a rename after it publishes durable data. */
export async function fsyncTree(root: string): Promise<void> {
  for (const name of await readdir(root)) {
    const abs = path.join(root, name);
    const st = await lstat(abs);
    if (st.isDirectory()) await fsyncTree(abs);
    else if (st.isFile()) await fsyncPath(abs);
    // Symlinks cannot be opened for fsync; their directory's fsync covers them.
  }
  await fsyncPath(root);
}

export async function fsyncDir(dir: string): Promise<void> {
  await fsyncPath(dir);
}
