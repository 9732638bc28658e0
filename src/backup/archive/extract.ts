import { constants } from 'node:fs';
import {
  chmod,
  lstat,
  lutimes,
  mkdir,
  open,
  readdir,
  realpath,
  symlink,
  unlink,
  utimes,
} from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import picomatch from 'picomatch';
import { StewardError } from '../../core/errors.js';
import { splitEntryPath } from './paths.js';
import { lexicallyInside, resolvesInside } from './symlink-check.js';
import { entryMtime, forEachTarEntry, type TarEntry } from './tar-read.js';

export interface ExtractOptions {
  /** picomatch globs on archive paths (before `strip`); other entries are skipped. */
  only?: string[];
  /** Archive prefix to strip, e.g. 'sources/core-db/'; entries outside it are skipped. */
  strip?: string;
  /** After each extracted entry, with its archive path and content bytes. */
  onEntry?: (path: string, bytes: number) => void;
  /** Each content chunk of each extracted file, e.g. to hash it. */
  onFileData?: (archivePath: string, chunk: Buffer) => void;
  signal?: AbortSignal;
}

export interface ExtractResult {
  /** Regular files written. */
  files: number;
  /** Their content bytes. */
  bytes: number;
  /** Entries left out by `only` or `strip`. */
  skipped: number;
}

interface PendingLink {
  rel: string[];
  target: string;
  mtime: Date;
  archivePath: string;
}

const refuse = (message: string) =>
  new StewardError('E_INTEGRITY', message, {
    hint: 'the archive is corrupt or hostile; nothing outside the destination was written',
  });

/** Permission bits only: set-id bits from an archive are not honoured. */
const PERM_MASK = 0o1777;

/**
 * Extract a tar stream into `destDir`, which must be empty or missing. Hostile input is
 * refused with an error naming the entry, and the first refusal ends the extraction:
 * absolute paths, '..' segments, hard links, devices and FIFOs, symlinks pointing outside
 * the destination, and any path that would pass through a symlink.
 *
 * Symlinks are created only after every other entry is written, so no write can follow
 * one; their targets are checked lexically on arrival and again, following links, against
 * the finished tree. Directory modes and mtimes are
 * applied last, deepest first, so a read-only directory still receives its contents.
 * Ownership is not restored.
 */
export async function extractTar(
  input: Readable,
  destDir: string,
  opts: ExtractOptions = {},
): Promise<ExtractResult> {
  const root = await prepareDestination(destDir);
  const isWanted = opts.only && opts.only.length > 0 ? picomatch(opts.only, { dot: true }) : () => true;
  const stripSegments = opts.strip === undefined ? [] : splitEntryPath(opts.strip);
  if (stripSegments === null) throw new StewardError('E_USAGE', `invalid strip prefix: ${opts.strip}`);

  const result: ExtractResult = { files: 0, bytes: 0, skipped: 0 };
  const knownDirs = new Set<string>(['']);
  const dirMeta = new Map<string, { rel: string[]; mode: number; mtime: Date }>();
  const links = new Map<string, PendingLink>();
  const abs = (rel: readonly string[]) => path.join(root, ...rel);

  /** Create missing parents; refuse any that is a symlink (pending or on disk) or not a directory. */
  async function ensureParents(rel: string[], name: string): Promise<void> {
    for (let i = 1; i < rel.length; i++) {
      const key = rel.slice(0, i).join('/');
      if (knownDirs.has(key)) continue;
      if (links.has(key)) throw refuse(`refusing to write ${name} through the symlink ${key}`);
      const st = await lstat(abs(rel.slice(0, i))).catch(ifMissing(null));
      if (st === null) await mkdir(abs(rel.slice(0, i)), { mode: 0o755 });
      else if (st.isSymbolicLink()) throw refuse(`refusing to write ${name} through the symlink ${key}`);
      else if (!st.isDirectory()) throw refuse(`refusing ${name}: ${key} is not a directory`);
      knownDirs.add(key);
    }
  }

  async function assertFree(rel: string[], name: string): Promise<void> {
    const key = rel.join('/');
    const taken =
      knownDirs.has(key) || links.has(key) || (await lstat(abs(rel)).catch(ifMissing(null))) !== null;
    if (taken) throw refuse(`refusing duplicate entry ${name}`);
  }

  async function writeFile(entry: TarEntry, rel: string[], archivePath: string): Promise<number> {
    const h = entry.header;
    // O_EXCL also refuses an existing symlink; O_NOFOLLOW is belt and braces.
    const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
    const fh = await open(abs(rel), flags, 0o600).catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'EEXIST' || err.code === 'ELOOP'
        ? refuse(`refusing duplicate entry ${h.name}`)
        : err;
    });
    let bytes = 0;
    try {
      for await (const chunk of entry) {
        const buf = chunk as Buffer;
        opts.onFileData?.(archivePath, buf);
        await fh.write(buf);
        bytes += buf.length;
      }
      await fh.chmod((h.mode ?? 0o644) & PERM_MASK);
      const mtime = entryMtime(h);
      await fh.utimes(mtime, mtime);
    } finally {
      await fh.close();
    }
    return bytes;
  }

  await forEachTarEntry(
    input,
    async (entry) => {
      const h = entry.header;
      const name = h.name;
      const segments = splitEntryPath(name);
      if (segments === null) {
        throw refuse(
          name.startsWith('/')
            ? `refusing entry with an absolute path: ${name}`
            : `refusing entry with a '..' path segment: ${name}`,
        );
      }
      checkType(h.type, name);
      const archivePath = segments.join('/');

      const under = startsWith(segments, stripSegments);
      const rel = under ? segments.slice(stripSegments.length) : segments;
      if (h.type === 'symlink') {
        const target = h.linkname ?? '';
        if (target === '') throw refuse(`refusing symlink without a target: ${name}`);
        if (target.startsWith('/'))
          throw refuse(`refusing symlink with an absolute target: ${name} -> ${target}`);
        if (!lexicallyInside(rel.slice(0, -1), target)) {
          throw refuse(`refusing symlink pointing outside the destination: ${name} -> ${target}`);
        }
      }

      if (!under || !isWanted(archivePath)) {
        result.skipped++;
        await drain(entry);
        return;
      }
      if (rel.length === 0) {
        // The archive root (or the stripped prefix) itself: that is destDir.
        if (h.type !== 'directory') throw refuse(`refusing ${name}: it would replace the destination`);
        await drain(entry);
        return;
      }

      await ensureParents(rel, name);
      const key = rel.join('/');
      if (h.type === 'directory') {
        if (links.has(key)) throw refuse(`refusing duplicate entry ${name}`);
        if (!knownDirs.has(key)) {
          const st = await lstat(abs(rel)).catch(ifMissing(null));
          if (st === null) await mkdir(abs(rel), { mode: 0o700 });
          else if (!st.isDirectory() || st.isSymbolicLink()) throw refuse(`refusing duplicate entry ${name}`);
          knownDirs.add(key);
        }
        dirMeta.set(key, { rel, mode: (h.mode ?? 0o755) & PERM_MASK, mtime: entryMtime(h) });
        await drain(entry);
        opts.onEntry?.(archivePath, 0);
      } else if (h.type === 'symlink') {
        await assertFree(rel, name);
        links.set(key, { rel, target: h.linkname ?? '', mtime: entryMtime(h), archivePath });
        await drain(entry);
        opts.onEntry?.(archivePath, 0);
      } else {
        if (links.has(key)) throw refuse(`refusing duplicate entry ${name}`);
        const bytes = await writeFile(entry, rel, archivePath);
        result.files++;
        result.bytes += bytes;
        opts.onEntry?.(archivePath, bytes);
      }
    },
    opts.signal,
  );

  opts.signal?.throwIfAborted();
  await createLinks(root, [...links.values()]);
  const dirs = [...dirMeta.values()].sort((a, b) => b.rel.length - a.rel.length);
  for (const d of dirs) {
    await chmod(abs(d.rel), d.mode);
    await utimes(abs(d.rel), d.mtime, d.mtime);
  }
  return result;
}

/** Create the deferred symlinks, then prove against the finished tree that none leads out. */
async function createLinks(root: string, links: PendingLink[]): Promise<void> {
  const created: string[] = [];
  try {
    for (const link of links) {
      const where = path.join(root, ...link.rel);
      await symlink(link.target, where);
      created.push(where);
    }
    for (const link of links) {
      if (!(await resolvesInside(root, link.rel.slice(0, -1), link.target))) {
        throw refuse(
          `refusing symlink pointing outside the destination: ${link.archivePath} -> ${link.target}`,
        );
      }
    }
    for (const link of links) {
      await lutimes(path.join(root, ...link.rel), link.mtime, link.mtime);
    }
  } catch (err) {
    // Leave no link behind that a later reader of the tree could follow out of it.
    await Promise.all(created.map((p) => unlink(p).catch(() => {})));
    throw err;
  }
}

function checkType(type: string | null | undefined, name: string): void {
  switch (type) {
    case 'file':
    case 'contiguous-file':
    case 'directory':
    case 'symlink':
      return;
    case 'link':
      throw refuse(`hard links are not supported: ${name}`);
    case 'character-device':
    case 'block-device':
    case 'fifo':
      throw refuse(`refusing ${type} entry: ${name}`);
    default:
      throw refuse(`refusing entry of unsupported type ${type ?? 'unknown'}: ${name}`);
  }
}

async function prepareDestination(destDir: string): Promise<string> {
  await mkdir(destDir, { recursive: true, mode: 0o700 });
  if ((await readdir(destDir)).length > 0) {
    throw new StewardError('E_CONFLICT', `extraction destination is not empty: ${destDir}`, {
      hint: 'extract into a new or empty directory',
    });
  }
  return realpath(destDir);
}

function startsWith(segments: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length <= segments.length && prefix.every((p, i) => segments[i] === p);
}

async function drain(entry: TarEntry): Promise<void> {
  for await (const _ of entry) {
  }
}

function ifMissing<T>(value: T): (err: NodeJS.ErrnoException) => T {
  return (err) => {
    if (err.code === 'ENOENT') return value;
    throw err;
  };
}
