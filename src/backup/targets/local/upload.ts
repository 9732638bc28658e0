import type { FileHandle } from 'node:fs/promises';
import { open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { StewardError } from '../../../core/errors.js';
import { abortError } from '../../../core/exec.js';
import type { TargetUpload } from '../../types.js';
import { partialName } from '../names.js';
import { errnoCode, ignoreMissing, writeError } from './errors.js';

export const OBJECT_MODE = 0o600;

async function writeAll(fh: FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await fh.write(chunk, offset, chunk.length - offset);
    // A regular file reports a full disk as ENOSPC; zero progress without one would loop forever.
    if (bytesWritten === 0) throw Object.assign(new Error('no progress writing'), { code: 'ENOSPC' });
    offset += bytesWritten;
  }
}

/** Writes straight to the file handle, so the caller keeps it for fsync and close. */
class FileSink extends Writable {
  constructor(
    private readonly fh: FileHandle,
    private readonly mapError: (err: unknown) => Error,
  ) {
    super({ highWaterMark: 1 << 20 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    writeAll(this.fh, chunk).then(
      () => callback(),
      (err: unknown) => callback(this.mapError(err)),
    );
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Starts writing `<dir>/<name>.partial`. `wx` refuses to reuse a leftover partial: it may
 * belong to an upload still running in another process.
 */
export async function startLocalUpload(
  target: string,
  dir: string,
  name: string,
  signal?: AbortSignal,
): Promise<TargetUpload> {
  signal?.throwIfAborted();
  const partial = path.join(dir, partialName(name));
  const final = path.join(dir, name);
  let fh: FileHandle;
  try {
    fh = await open(partial, 'wx', OBJECT_MODE);
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') {
      throw new StewardError('E_CONFLICT', `target ${target}: ${partial} already exists`, {
        cause: err,
        hint: 'another upload is running, or one was interrupted: its leftovers are removed before the next run',
      });
    }
    throw writeError(target, name, err);
  }
  await fh.chmod(OBJECT_MODE); // open()'s mode is filtered by the umask
  const stream = new FileSink(fh, (err) => writeError(target, name, err));
  const onAbort = () => stream.destroy(abortError(`upload of ${name} to ${target} aborted`, signal?.reason));
  signal?.addEventListener('abort', onAbort, { once: true });

  let state: 'writing' | 'renamed' | 'committed' | 'aborted' = 'writing';
  let closed = false;
  const closeFile = async () => {
    if (closed) return;
    closed = true;
    await fh.close();
  };

  return {
    stream,
    async commit() {
      if (state !== 'writing') throw new Error(`target ${target}: upload of ${name} is already ${state}`);
      if (stream.errored) throw stream.errored;
      if (!stream.writableEnded) {
        throw new Error(`target ${target}: commit of ${name} before its stream was ended`);
      }
      if (!stream.writableFinished) await finished(stream);
      signal?.removeEventListener('abort', onAbort);
      try {
        await fh.sync(); // some file systems only report a full disk here
      } catch (err) {
        throw writeError(target, name, err);
      }
      await closeFile();
      await rename(partial, final);
      state = 'renamed';
      await fsyncDir(dir);
      state = 'committed';
      return { location: final };
    },
    async abort() {
      if (state === 'committed' || state === 'aborted') return;
      signal?.removeEventListener('abort', onAbort);
      if (!stream.destroyed) stream.destroy();
      // close() waits for a write still in flight, so the unlink below is final.
      await closeFile().catch(() => {});
      await ignoreMissing(unlink(partial));
      // commit failed after the rename (directory fsync): the caller treats it as not stored.
      if (state === 'renamed') await ignoreMissing(unlink(final));
      state = 'aborted';
    },
  };
}
