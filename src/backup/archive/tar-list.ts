import type { Readable } from 'node:stream';
import { splitEntryPath } from './paths.js';
import { entryMtime, entryOwner, forEachTarEntry } from './tar-read.js';

export interface TarEntryInfo {
  /** Normalized (`./a//b/` → `a/b`); the raw name when it is absolute or has '..' segments. */
  path: string;
  /** The name exactly as stored. */
  name: string;
  /** tar-stream's type: 'file', 'directory', 'symlink', 'link', 'character-device', … */
  type: string;
  mode: number;
  mtime: Date;
  size: number;
  linkname?: string;
  uid: number;
  gid: number;
}

export interface ListTarResult {
  entries: number;
  /** Content bytes read (regular files). */
  bytes: number;
}

/**
 * Read every entry of a tar stream, for verification. `onEntry` may iterate `content` (to
 * hash it) fully, partly or not at all; whatever it leaves is read and discarded here, so
 * the stream always advances and truncation anywhere is noticed.
 */
export async function listTar(
  input: Readable,
  onEntry: (entry: TarEntryInfo, content: AsyncIterable<Buffer>) => void | Promise<void>,
  opts: { signal?: AbortSignal } = {},
): Promise<ListTarResult> {
  const result: ListTarResult = { entries: 0, bytes: 0 };
  await forEachTarEntry(
    input,
    async (entry) => {
      const h = entry.header;
      const segments = splitEntryPath(h.name);
      const info: TarEntryInfo = {
        path: segments ? segments.join('/') : h.name,
        name: h.name,
        type: h.type ?? 'unknown',
        mode: (h.mode ?? 0) & 0o7777,
        mtime: entryMtime(h),
        size: h.size ?? 0,
        ...entryOwner(h),
      };
      if (h.linkname) info.linkname = h.linkname;
      const it = entry[Symbol.asyncIterator]();
      const next = async (): Promise<IteratorResult<Buffer>> => {
        const r = await it.next();
        if (!r.done) result.bytes += (r.value as Buffer).length;
        return r as IteratorResult<Buffer>;
      };
      // A `break` in the caller's loop must not destroy the entry (that would abort the parse).
      const content: AsyncIterable<Buffer> = {
        [Symbol.asyncIterator]: () => ({
          next,
          return: async () => ({ done: true, value: undefined }),
        }),
      };
      await onEntry(info, content);
      while (!(await next()).done) {}
      result.entries++;
    },
    opts.signal,
  );
  return result;
}
