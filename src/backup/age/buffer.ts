import type { Transform } from 'node:stream';
import { createDecryptStream } from './stream-decrypt.js';
import { createEncryptStream } from './stream-encrypt.js';

/**
 * Whole-buffer wrappers over the streams, for small payloads (and tests). `writeSize`
 * splits the input into writes of that many bytes, to exercise the streams' buffering.
 */
function run(stream: Transform, input: Uint8Array, writeSize: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    stream.on('data', (b: Buffer) => out.push(b));
    stream.on('error', reject);
    stream.on('end', () => resolve(Buffer.concat(out)));
    const data = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    for (let off = 0; off < data.length; off += writeSize) {
      stream.write(data.subarray(off, Math.min(data.length, off + writeSize)));
    }
    stream.end();
  });
}

export function encryptBuffer(plaintext: Uint8Array, recipients: readonly string[], writeSize = 1 << 20) {
  return run(createEncryptStream(recipients), plaintext, writeSize);
}

export function decryptBuffer(ciphertext: Uint8Array, identities: readonly string[], writeSize = 1 << 20) {
  return run(createDecryptStream(identities), ciphertext, writeSize);
}
