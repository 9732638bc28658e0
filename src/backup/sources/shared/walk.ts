import type { Stats } from 'node:fs';
import { lstat, open, readdir, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import { StewardError } from '../../../core/errors.js';
import type { ArchiveEntry } from '../../types.js';
import { readError, readExactly } from './file-stream.js';
import type { PathFilter } from './filter.js';

export interface WalkOptions {
  filter?: PathFilter;
  /** Do not descend into directories on another filesystem (the mount point itself is kept). */
  oneFileSystem?: boolean;
  signal?: AbortSignal;
  warn(message: string, details?: Record<string, unknown>): void;
}

export interface WalkStats {
  files: number;
  directories: number;
  symlinks: number;
  bytes: number;
}

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

/** Code-unit order: stable across locales, so the same tree always gives the same archive. */
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function metadata(relPath: string, st: Stats) {
  return { path: relPath, mode: st.mode & 0o7777, mtime: st.mtime, uid: st.uid, gid: st.gid };
}

/** Fails unless `dir` is a directory we can read; follows a symlink at the root on purpose. */
export async function statRoot(dir: string): Promise<Stats> {
  let st: Stats;
  try {
    st = await stat(dir);
  } catch (err) {
    if (isMissing(err)) throw new StewardError('E_NOT_FOUND', `${dir} does not exist`, { cause: err });
    throw readError(dir, err);
  }
  if (!st.isDirectory()) throw new StewardError('E_CONFIG', `${dir} is not a directory`);
  return st;
}

/**
 * The entries under `root`, lazily: one directory listing in memory per level, files opened only
 * when the engine writes them. Depth-first in sorted order, so a directory always comes before
 * its contents. Symlinks are kept as links and never followed; sockets, FIFOs and devices are
 * skipped with a warning; anything unreadable fails the walk (a backup must not drop data
 * silently). With include patterns, a directory is emitted only once something under it is.
 */
export async function* walkTree(root: string, options: WalkOptions): AsyncGenerator<ArchiveEntry> {
  const rootStat = await statRoot(root);
  const { filter, signal, warn } = options;
  // Directories whose entry waits for a first included descendant (include patterns only).
  const pending: ArchiveEntry[] = [];

  async function* walkDir(absDir: string, relDir: string, includeAll: boolean): AsyncGenerator<ArchiveEntry> {
    let names: string[];
    try {
      names = await readdir(absDir);
    } catch (err) {
      if (isMissing(err) && relDir !== '') return; // removed while we walked
      throw readError(absDir, err);
    }
    names.sort(byName);
    for (const name of names) {
      signal?.throwIfAborted();
      const rel = relDir === '' ? name : `${relDir}/${name}`;
      const abs = path.join(absDir, name);
      let st: Stats;
      try {
        st = await lstat(abs);
      } catch (err) {
        if (isMissing(err)) continue;
        throw readError(abs, err);
      }
      if (st.isDirectory()) {
        if (filter?.excluded(rel, true)) continue;
        const entry: ArchiveEntry = { ...metadata(rel, st), type: 'directory', size: 0 };
        const whole = includeAll || (filter?.included(rel, true) ?? true);
        const depth = pending.length;
        if (whole) {
          yield* pending.splice(0);
          yield entry;
        } else {
          pending.push(entry);
        }
        // Another filesystem's mount point is kept, its contents are not.
        if (!(options.oneFileSystem && st.dev !== rootStat.dev)) yield* walkDir(abs, rel, whole);
        if (pending.length > depth) pending.length = depth; // nothing under it was included
        continue;
      }
      if (filter?.excluded(rel, false) || !(includeAll || (filter?.included(rel, false) ?? true))) continue;
      if (st.isSymbolicLink()) {
        let linkname: string;
        try {
          linkname = await readlink(abs);
        } catch (err) {
          if (isMissing(err)) continue;
          throw readError(abs, err);
        }
        yield* pending.splice(0);
        yield { ...metadata(rel, st), type: 'symlink', size: 0, linkname };
      } else if (st.isFile()) {
        // Prove it readable now, while failing is still clean; the content is read on open().
        try {
          await (await open(abs, 'r')).close();
        } catch (err) {
          if (isMissing(err)) continue;
          throw readError(abs, err);
        }
        yield* pending.splice(0);
        const size = st.size;
        yield {
          ...metadata(rel, st),
          type: 'file',
          size,
          open: () =>
            readExactly(abs, size, (details) =>
              warn('file shrank while it was read; padded with zeros', { ...details }),
            ),
        };
      } else {
        warn('skipped special file', { path: abs });
      }
    }
  }

  yield* walkDir(root, '', !(filter?.hasIncludes ?? false));
}

/** Counts what a walk of `root` yields, without reading any content. */
export async function countTree(root: string, signal?: AbortSignal): Promise<WalkStats> {
  const stats: WalkStats = { files: 0, directories: 0, symlinks: 0, bytes: 0 };
  for await (const entry of walkTree(root, { signal, warn: () => {} })) {
    if (entry.type === 'file') {
      stats.files++;
      stats.bytes += entry.size;
    } else if (entry.type === 'directory') stats.directories++;
    else stats.symlinks++;
  }
  return stats;
}
