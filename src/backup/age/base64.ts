/**
 * age's base64: the standard alphabet without padding, and decoders must reject
 * non-canonical encodings (Buffer.from(…, 'base64') is lenient about all of that).
 */
const ALPHABET_RE = /^[A-Za-z0-9+/]*$/;

export function encodeBase64(bytes: Uint8Array): string {
  const s = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  return pad === 0 ? s : s.slice(0, -pad);
}

/** The decoded bytes, or null when `s` is not canonical unpadded base64. */
export function decodeBase64(s: string): Buffer | null {
  if (s.length % 4 === 1 || !ALPHABET_RE.test(s)) return null;
  const bytes = Buffer.from(s, 'base64');
  // Re-encoding catches non-zero trailing bits, the only other way to be non-canonical.
  return encodeBase64(bytes) === s ? bytes : null;
}
