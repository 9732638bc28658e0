import { createCipheriv, createDecipheriv } from 'node:crypto';

/** ChaCha20-Poly1305 via OpenSSL; the ciphertext carries its 16-byte tag at the end. */
export const TAG_SIZE = 16;

/** Ciphertext and tag as two buffers, so hot paths can emit them without joining them. */
export function sealParts(key: Buffer, nonce: Buffer, plaintext: Uint8Array): [body: Buffer, tag: Buffer] {
  const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG_SIZE });
  const body = cipher.update(plaintext);
  cipher.final();
  return [body, cipher.getAuthTag()];
}

export function seal(key: Buffer, nonce: Buffer, plaintext: Uint8Array): Buffer {
  const [body, tag] = sealParts(key, nonce, plaintext);
  return Buffer.concat([body, tag], body.length + TAG_SIZE);
}

/** The plaintext, or null when the tag does not verify. Nothing is returned unverified. */
export function open(key: Buffer, nonce: Buffer, sealed: Buffer): Buffer | null {
  if (sealed.length < TAG_SIZE) return null;
  const decipher = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: TAG_SIZE });
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_SIZE));
  const plaintext = decipher.update(sealed.subarray(0, sealed.length - TAG_SIZE));
  try {
    decipher.final();
  } catch {
    return null;
  }
  return plaintext;
}
