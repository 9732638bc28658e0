import { Transform, type TransformCallback } from 'node:stream';
import { open, TAG_SIZE } from './aead.js';
import { AgeError } from './errors.js';
import { checkHeaderStart, findMacLine, type ParsedHeader, parseHeader, verifyHeaderMac } from './header.js';
import { loadIdentity, type X25519Identity } from './keys.js';
import { ChunkNonce, PAYLOAD_NONCE_SIZE, payloadKey, SEALED_CHUNK_SIZE } from './payload.js';
import { unwrapFileKey } from './x25519.js';

/** Generous (a stanza is ~100 bytes) but stops a non-age stream from being buffered whole. */
const MAX_HEADER_SIZE = 1024 * 1024;

function findFileKey(header: ParsedHeader, identities: readonly X25519Identity[]): Buffer {
  // The spec forbids mixing scrypt with anything: it would undermine passphrase authentication.
  if (header.stanzas.length > 1 && header.stanzas.some((s) => s.type === 'scrypt')) {
    throw new AgeError('E_AGE_HEADER', 'malformed age header: an scrypt stanza must be the only one');
  }
  for (const stanza of header.stanzas) {
    for (const identity of identities) {
      const fileKey = unwrapFileKey(stanza, identity);
      if (fileKey) {
        if (!verifyHeaderMac(fileKey, header)) {
          throw new AgeError(
            'E_AGE_MAC',
            'age header MAC mismatch: the archive header was modified or corrupted',
          );
        }
        return fileKey;
      }
    }
  }
  if (header.stanzas[0]?.type === 'scrypt') {
    throw new AgeError(
      'E_AGE_NO_IDENTITY',
      'the archive is encrypted with a passphrase (age -p), not to an age key; decrypt it with `age -d`',
    );
  }
  throw new AgeError(
    'E_AGE_NO_IDENTITY',
    'no identity matched: the archive was not encrypted to any of the given age keys',
  );
}

/**
 * A Transform from an age v1 file to its plaintext, using X25519 `identities`
 * (AGE-SECRET-KEY-1… strings, validated here synchronously).
 *
 * Each chunk's plaintext is pushed only after its tag verifies. Because a chunk's
 * last-flag is only known from what follows it, a full chunk is opened as non-final only
 * once at least one more byte has arrived, and the end of input decides the final one.
 * Memory: one sealed chunk buffer plus the header.
 */
export function createDecryptStream(identities: readonly string[]): Transform {
  if (identities.length === 0) throw new AgeError('E_AGE_KEY', 'no age identities to decrypt with');
  const keys = identities.map(loadIdentity);

  // Header phase: bytes so far (grown by doubling), until the header and the payload
  // nonce are complete.
  let head: Buffer | null = Buffer.allocUnsafe(1024);
  let headLength = 0;
  let macLine = -1;
  let headerEnd = -1;
  let fileKey: Buffer | null = null;

  // Payload phase.
  let key: Buffer | null = null;
  const chunkNonce = new ChunkNonce();
  const pending = Buffer.allocUnsafe(SEALED_CHUNK_SIZE);
  let filled = 0;

  const corrupt = () =>
    new AgeError(
      'E_AGE_CHUNK',
      `age payload chunk ${chunkNonce.index} failed authentication: the archive is corrupted or truncated`,
    );

  const openChunk = (sealed: Buffer, last: boolean) => {
    const plaintext = open(key!, chunkNonce.setLast(last), sealed);
    if (!plaintext) {
      if (!last && sealed.length === SEALED_CHUNK_SIZE && open(key!, chunkNonce.setLast(true), sealed)) {
        throw new AgeError(
          'E_AGE_CHUNK',
          'archive has trailing data after the final chunk of the age stream',
        );
      }
      throw corrupt();
    }
    if (plaintext.length > 0) verified.push(plaintext);
    chunkNonce.next();
  };

  const feedPayload = (data: Buffer) => {
    let off = 0;
    while (off < data.length) {
      if (filled === SEALED_CHUNK_SIZE) {
        openChunk(pending, false);
        filled = 0;
      }
      if (filled === 0 && data.length - off > SEALED_CHUNK_SIZE) {
        openChunk(data.subarray(off, off + SEALED_CHUNK_SIZE), false);
        off += SEALED_CHUNK_SIZE;
        continue;
      }
      const n = Math.min(SEALED_CHUNK_SIZE - filled, data.length - off);
      data.copy(pending, filled, off, off + n);
      filled += n;
      off += n;
    }
  };

  const feedHeader = (data: Buffer) => {
    const searchFrom = Math.max(0, headLength - 4);
    if (headLength + data.length > head!.length) {
      const grown = Buffer.allocUnsafe(Math.max(head!.length * 2, headLength + data.length));
      head!.copy(grown, 0, 0, headLength);
      head = grown;
    }
    data.copy(head!, headLength);
    headLength += data.length;
    const buf = head!.subarray(0, headLength);
    if (headerEnd < 0) {
      checkHeaderStart(buf);
      if (macLine < 0) macLine = findMacLine(buf, searchFrom);
      const eol = macLine < 0 ? -1 : buf.indexOf(0x0a, macLine + 1);
      if (eol >= 0) headerEnd = eol + 1;
      if (headerEnd < 0) {
        if (headLength > MAX_HEADER_SIZE) {
          throw new AgeError('E_AGE_HEADER', 'malformed age header: no end of header within 1 MiB');
        }
        return;
      }
      // Keys and MAC are checked as soon as the header is complete, before the payload.
      fileKey = findFileKey(parseHeader(buf.subarray(0, headerEnd)), keys);
    }
    if (headLength < headerEnd + PAYLOAD_NONCE_SIZE) return;
    key = payloadKey(fileKey!, buf.subarray(headerEnd, headerEnd + PAYLOAD_NONCE_SIZE));
    head = null;
    feedPayload(buf.subarray(headerEnd + PAYLOAD_NONCE_SIZE));
  };

  const finish = () => {
    if (!key) {
      if (headLength === 0) throw new AgeError('E_AGE_TRUNCATED', 'archive is empty: no age header');
      throw new AgeError(
        'E_AGE_TRUNCATED',
        headerEnd < 0
          ? 'archive is truncated inside the age header'
          : 'archive is truncated after the age header',
      );
    }
    const truncated = () =>
      new AgeError('E_AGE_TRUNCATED', 'archive is truncated: the age stream ends without its final chunk');
    if (filled < TAG_SIZE) throw truncated();
    if (filled === TAG_SIZE && chunkNonce.index > 0) {
      // age never writes an empty final chunk after data, so this is tampering.
      throw new AgeError('E_AGE_CHUNK', 'age stream has an empty final chunk, which is invalid');
    }
    const sealed = pending.subarray(0, filled);
    const plaintext = open(key, chunkNonce.setLast(true), sealed);
    if (!plaintext) {
      // A full chunk that opens as non-final means the input stopped on a chunk boundary.
      if (filled === SEALED_CHUNK_SIZE && open(key, chunkNonce.setLast(false), sealed)) throw truncated();
      throw corrupt();
    }
    if (plaintext.length > 0) verified.push(plaintext);
    chunkNonce.next();
  };

  // Plaintext of the chunks verified during one input write, pushed as one buffer: a 1 MiB
  // read becomes one 1 MiB write to gunzip instead of sixteen threadpool round trips.
  const verified: Buffer[] = [];
  const pushVerified = (stream: Transform) => {
    if (verified.length === 1) stream.push(verified[0]);
    else if (verified.length > 1) stream.push(Buffer.concat(verified));
    verified.length = 0;
  };
  let failed = false;
  return new Transform({
    transform(data: Buffer, _encoding, callback: TransformCallback) {
      if (failed) return callback();
      try {
        if (key) feedPayload(data);
        else feedHeader(data);
        pushVerified(this);
        callback();
      } catch (err) {
        failed = true;
        pushVerified(this);
        callback(err as Error);
      }
    },
    flush(callback: TransformCallback) {
      if (failed) return callback();
      try {
        finish();
        pushVerified(this);
        callback();
      } catch (err) {
        failed = true;
        pushVerified(this);
        callback(err as Error);
      }
    },
  });
}
