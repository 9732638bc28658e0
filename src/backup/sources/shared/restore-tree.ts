import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import {
  chmod,
  copyFile,
  lchown,
  lstat,
  lutimes,
  mkdir,
  open,
  readdir,
  readlink,
  rename,
  rm,
  symlink,
  unlink,
  utimes,
} from 'node:fs/promises';
import path from 'node:path';
import { StewardError } from '../../../core/errors.js';
import { fsyncDir } from './fsync.js';

const isRoot = process.getuid?.() === 0;

async function lstatOrNull(file: string): Promise<Stats | null> {
  try {
    return await lstat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Ownership only means something when we may give files away, i.e. as root. */
async function own(file: string, st: Stats): Promise<void> {
  if (isRoot) await lchown(file, st.uid, st.gid);
}

const tempName = (target: string) =>
  path.join(
    path.dirname(target),
    `.${path.basename(target)}.steward-restore-${randomBytes(4).toString('hex')}`,
  );

function inTheWay(target: string, wanted: string): StewardError {
  return new StewardError(
    'E_CONFLICT',
    `cannot restore ${target}: a directory is where the backup has a ${wanted}`,
    {
      hint: 'move the directory aside and restore again',
    },
  );
}

/** Copy to a temp name beside the target, fsync, rename over it: readers see old or new, never half. */
async function restoreFile(src: string, target: string, st: Stats): Promise<void> {
  const existing = await lstatOrNull(target);
  if (existing?.isDirectory()) throw inTheWay(target, 'file');
  const tmp = tempName(target);
  try {
    await copyFile(src, tmp);
    const handle = await open(tmp, 'r+');
    try {
      await handle.chmod(st.mode & 0o7777);
      if (isRoot) await handle.chown(st.uid, st.gid);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await utimes(tmp, st.atime, st.mtime);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

async function restoreSymlink(src: string, target: string, st: Stats): Promise<void> {
  const existing = await lstatOrNull(target);
  if (existing?.isDirectory()) throw inTheWay(target, 'symlink');
  const tmp = tempName(target);
  try {
    await symlink(await readlink(src), tmp);
    await own(tmp, st);
    await lutimes(tmp, st.atime, st.mtime);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

async function restoreDir(src: string, target: string, signal?: AbortSignal): Promise<void> {
  const names = (await readdir(src)).sort();
  for (const name of names) {
    signal?.throwIfAborted();
    const from = path.join(src, name);
    const to = path.join(target, name);
    const st = await lstat(from);
    if (st.isDirectory()) {
      const existing = await lstatOrNull(to);
      // Never write through a symlink that sits where the backup has a directory.
      if (existing && !existing.isDirectory()) await unlink(to);
      if (!existing?.isDirectory()) await mkdir(to, { mode: 0o700 });
      await restoreDir(from, to, signal);
      // Mode, owner and times last: writing the contents changed the mtime, and a read-only
      // mode would have stopped us writing them.
      await chmod(to, st.mode & 0o7777);
      await own(to, st);
      await utimes(to, st.atime, st.mtime);
    } else if (st.isSymbolicLink()) {
      await restoreSymlink(from, to, st);
    } else if (st.isFile()) {
      await restoreFile(from, to, st);
    }
  }
  await fsyncDir(target);
}

/**
 * Copies the tree under `src` over `target`: missing directories are created, files and symlinks
 * are replaced atomically, modes, times (and owners, as root) are kept. Files in `target` that
 * the backup does not have are left alone — they may be excluded on purpose.
 */
export async function restoreTree(src: string, target: string, signal?: AbortSignal): Promise<void> {
  const st = await lstatOrNull(src);
  if (!st?.isDirectory()) {
    throw new StewardError('E_NOT_FOUND', `nothing to restore: ${src} is not a directory`);
  }
  await mkdir(target, { recursive: true });
  await restoreDir(src, target, signal);
}
