import { hkdfSync } from 'node:crypto';
import { TAG_SIZE } from './aead.js';
import { AgeError } from './errors.js';

/** The age payload's STREAM construction: 64 KiB chunks under a per-file payload key. */
export const CHUNK_SIZE = 64 * 1024;
export const SEALED_CHUNK_SIZE = CHUNK_SIZE + TAG_SIZE;
export const PAYLOAD_NONCE_SIZE = 16;
export const FILE_KEY_SIZE = 16;

export function payloadKey(fileKey: Buffer, nonce: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', fileKey, nonce, 'payload', 32));
}

/** The 12-byte chunk nonce: an 11-byte big-endian counter, then the last-chunk flag. */
export class ChunkNonce {
  /** Reused for every chunk; createCipheriv copies it. */
  readonly bytes = Buffer.alloc(12);
  /** Chunks done so far, for messages. */
  index = 0;

  setLast(last: boolean): Buffer {
    this.bytes[11] = last ? 1 : 0;
    return this.bytes;
  }

  next(): void {
    this.index++;
    for (let i = 10; i >= 0; i--) {
      const v = (this.bytes[i]! + 1) & 0xff;
      this.bytes[i] = v;
      if (v !== 0) return;
    }
    throw new AgeError('E_AGE_CHUNK', 'age stream chunk counter overflow');
  }
}
