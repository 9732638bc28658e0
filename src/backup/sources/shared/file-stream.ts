import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { StewardError } from '../../../core/errors.js';

const chunkSize = 256 * 1024;

export type ShortReadHandler = (details: { path: string; expected: number; read: number }) => void;

export function readError(file: string, err: unknown): StewardError {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  return new StewardError('E_EXTERNAL', `cannot read ${file} (${code})`, {
    cause: err,
    hint: 'give the steward user read access, or exclude the path',
  });
}

/**
 * Streams exactly `size` bytes of `file` — the size the archive header was written with. A
 * file that shrinks while it is read (a log being truncated) is padded with zeros, as GNU tar
 * does, and reported through `onShort`; a file that grows is cut at `size`.
 */
export function readExactly(file: string, size: number, onShort: ShortReadHandler): Readable {
  let handle: FileHandle | undefined;
  let position = 0;
  let padding = false;
  return new Readable({
    highWaterMark: chunkSize,
    construct(callback) {
      open(file, 'r').then(
        (h) => {
          handle = h;
          callback();
        },
        (err: unknown) => callback(readError(file, err)),
      );
    },
    read() {
      const want = Math.min(chunkSize, size - position);
      if (want <= 0) {
        this.push(null);
        return;
      }
      if (padding || handle === undefined) {
        position += want;
        this.push(Buffer.alloc(want));
        return;
      }
      const buffer = Buffer.allocUnsafe(want);
      handle.read(buffer, 0, want, position).then(
        ({ bytesRead }) => {
          if (bytesRead === 0) {
            padding = true;
            onShort({ path: file, expected: size, read: position });
            position += want;
            this.push(Buffer.alloc(want));
            return;
          }
          position += bytesRead;
          this.push(buffer.subarray(0, bytesRead));
        },
        (err: unknown) => this.destroy(readError(file, err)),
      );
    },
    destroy(err, callback) {
      if (handle === undefined) {
        callback(err);
        return;
      }
      handle.close().then(
        () => callback(err),
        () => callback(err),
      );
    },
  });
}
