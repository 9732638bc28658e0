import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Header } from 'tar-stream';
import type { ArchiveEntry, SourceContext } from '../../types.js';
import { type RawEntry, readVolumeTar, type VolumeTarReader } from './read-volume.js';
import type { DockerVolumeSourceConfig } from './schema.js';

/** Readers currently open, so that cleanup() can stop helpers an abandoned iteration left running. */
export type ActiveReaders = Set<VolumeTarReader>;

/**
 * A tar member name as archive path: './a/b/' → 'a/b'; '' for the volume root itself; null for
 * names that would leave the source root (a helper image with a strange tar).
 */
export function normalisePath(name: string): string | null {
  const parts = name.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..') || name.startsWith('/')) return null;
  return parts.join('/');
}

/**
 * Hands an entry's content to the engine lazily, and lets the generator wait until it was read
 * before it asks tar for the next entry (which would otherwise never come: tar is sequential).
 */
class EntryContent {
  #opened: Readable | null = null;
  constructor(
    readonly stream: RawEntry['stream'],
    readonly path: string,
  ) {}

  open = (): Readable => {
    if (this.#opened) throw new Error(`the content of ${this.path} was opened twice`);
    // A plain Node stream: tar-stream's entries are streamx streams, which Node's pipeline() only half knows.
    this.#opened = Readable.from(this.stream, { objectMode: false });
    return this.#opened;
  };

  /** Resolves once the content was read to its end; content nobody opened is skipped. */
  async settle(): Promise<void> {
    if (this.#opened === null) {
      for await (const _ of this.stream) {
        // Discarding: the engine did not want this entry's bytes.
      }
      return;
    }
    try {
      await finished(this.#opened);
    } catch (err) {
      throw new Error(`the content of ${this.path} was not read to its end`, { cause: err });
    }
  }
}

function baseEntry(path: string, header: Header): Omit<ArchiveEntry, 'type' | 'size'> {
  return {
    path,
    mode: (header.mode ?? 0o644) & 0o7777,
    mtime: header.mtime ?? new Date(0),
    uid: header.uid,
    gid: header.gid,
  };
}

async function openReader(
  config: DockerVolumeSourceConfig,
  paths: string[],
  ctx: SourceContext,
  active: ActiveReaders,
): Promise<VolumeTarReader> {
  const reader = await readVolumeTar(config, paths, ctx.signal);
  active.add(reader);
  return reader;
}

async function closeReader(reader: VolumeTarReader, complete: boolean, active: ActiveReaders): Promise<void> {
  active.delete(reader);
  if (!complete) await reader.abort();
}

/** Every object in the volume, in tar order (directories before their contents). */
export async function* volumeEntries(
  config: DockerVolumeSourceConfig,
  ctx: SourceContext,
  active: ActiveReaders,
): AsyncGenerator<ArchiveEntry> {
  const reader = await openReader(config, ['.'], ctx, active);
  let complete = false;
  try {
    for (let raw = await reader.next(); raw !== null; raw = await reader.next()) {
      const { header } = raw;
      const content = new EntryContent(raw.stream, header.name);
      const path = normalisePath(header.name);
      if (path === null) {
        ctx.warn(`skipped ${header.name}: not a path inside the volume`, { volume: config.volume });
      } else if (path === '') {
        // The volume root: the engine writes sources/<name>/ itself.
      } else if (header.type === 'file' || header.type === 'contiguous-file') {
        yield { ...baseEntry(path, header), type: 'file', size: header.size ?? 0, open: content.open };
      } else if (header.type === 'directory') {
        yield { ...baseEntry(path, header), type: 'directory', size: 0 };
      } else if (header.type === 'symlink') {
        yield { ...baseEntry(path, header), type: 'symlink', size: 0, linkname: header.linkname ?? '' };
      } else if (header.type === 'link') {
        yield* hardLink(config, ctx, active, path, header);
      } else {
        ctx.warn(`skipped ${path}: a ${header.type ?? 'special file'} cannot be backed up`, {
          volume: config.volume,
          path,
          type: header.type,
        });
      }
      await content.settle();
    }
    await reader.finish();
    complete = true;
  } finally {
    await closeReader(reader, complete, active);
  }
}

/**
 * A hard link to a file earlier in the archive. Entries carry their own content, so the file is
 * read once more, on its own, through a second helper (hard links in volumes are rare).
 */
async function* hardLink(
  config: DockerVolumeSourceConfig,
  ctx: SourceContext,
  active: ActiveReaders,
  path: string,
  header: Header,
): AsyncGenerator<ArchiveEntry> {
  const target = normalisePath(header.linkname ?? '');
  if (!target) {
    ctx.warn(`skipped ${path}: hard link to ${header.linkname ?? '?'} outside the volume`, { path });
    return;
  }
  const reader = await openReader(config, [`./${target}`], ctx, active);
  let complete = false;
  let found = false;
  try {
    for (let raw = await reader.next(); raw !== null; raw = await reader.next()) {
      const content = new EntryContent(raw.stream, path);
      if (!found && normalisePath(raw.header.name) === target && raw.header.type === 'file') {
        found = true;
        // Same inode, so the same mode and times; the target's header is the one with the size.
        yield {
          ...baseEntry(path, raw.header),
          type: 'file',
          size: raw.header.size ?? 0,
          open: content.open,
        };
      }
      await content.settle();
    }
    await reader.finish();
    complete = true;
    if (!found) ctx.warn(`skipped ${path}: its hard link target ${target} was gone`, { path, target });
  } finally {
    await closeReader(reader, complete, active);
  }
}
