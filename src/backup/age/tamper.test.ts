import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seal } from './aead.js';
import { encodeBase64 } from './base64.js';
import { encodeHeader, type Stanza } from './header.js';
import {
  AgeError,
  type AgeErrorCode,
  createDecryptStream,
  encryptBuffer,
  formatIdentityFile,
  generateIdentity,
} from './index.js';
import { decodeRecipient } from './keys.js';
import { CHUNK_SIZE, ChunkNonce, payloadKey, SEALED_CHUNK_SIZE } from './payload.js';
import { wrapFileKey } from './x25519.js';

const AGE = '/usr/bin/age';
const { identity, recipient } = generateIdentity();

/** Decrypts, keeping whatever plaintext was emitted before the error. */
function attempt(ciphertext: Buffer, writeSize = 4096, ids = [identity]) {
  return new Promise<{ out: Buffer; err: AgeError | undefined }>((resolve) => {
    const stream = createDecryptStream(ids);
    const out: Buffer[] = [];
    stream.on('data', (b: Buffer) => out.push(b));
    stream.on('error', (err) => resolve({ out: Buffer.concat(out), err: err as AgeError }));
    stream.on('end', () => resolve({ out: Buffer.concat(out), err: undefined }));
    for (let off = 0; off < ciphertext.length; off += writeSize) {
      stream.write(ciphertext.subarray(off, off + writeSize));
    }
    stream.end();
  });
}

async function expectReject(ciphertext: Buffer, codes: AgeErrorCode[], writeSize?: number) {
  const { out, err } = await attempt(ciphertext, writeSize);
  expect(err, 'decryption should fail').toBeInstanceOf(AgeError);
  expect(codes).toContain(err!.code);
  return { out, err: err! };
}

/** Offset of the payload's first chunk (after the header and the 16-byte nonce). */
function payloadStart(ciphertext: Buffer): number {
  const footer = ciphertext.indexOf('\n---');
  return ciphertext.indexOf('\n', footer + 1) + 1 + 16;
}

/** Deterministic positions, so a failure can be reproduced. */
function* positions(seed: number, count: number, max: number) {
  let x = seed;
  for (let i = 0; i < count; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    yield x % max;
  }
}

interface CraftOptions {
  extraStanzas?: Stanza[];
  chunks: { plaintext: Buffer; last: boolean }[];
}

/** Builds an age file by hand, to produce streams our encrypter never would. */
function craft({ extraStanzas = [], chunks }: CraftOptions): Buffer {
  const fileKey = randomBytes(16);
  const nonce = randomBytes(16);
  const header = encodeHeader([...extraStanzas, wrapFileKey(fileKey, decodeRecipient(recipient))], fileKey);
  const key = payloadKey(fileKey, nonce);
  const counter = new ChunkNonce();
  const sealed = chunks.map((c) => {
    const s = seal(key, counter.setLast(c.last), c.plaintext);
    counter.next();
    return s;
  });
  return Buffer.concat([header, nonce, ...sealed]);
}

describe('age decryption rejects tampering', () => {
  const small = randomBytes(200);
  let smallCt: Buffer = Buffer.alloc(0);
  const big = randomBytes(1024 * 1024 + 777);
  let bigCt: Buffer = Buffer.alloc(0);

  beforeAll(async () => {
    smallCt = await encryptBuffer(small, [recipient]);
    bigCt = await encryptBuffer(big, [recipient]);
    // Sanity: the untouched files decrypt, whatever the write size.
    for (const ws of [1, 100, 65552, 1 << 20]) {
      expect((await attempt(smallCt, ws)).out.equals(small)).toBe(true);
    }
    expect((await attempt(bigCt, 65536)).out.equals(big)).toBe(true);
  });

  it('rejects a wrong identity', async () => {
    const { out, err } = await attempt(smallCt, 4096, [generateIdentity().identity]);
    expect(err?.code).toBe('E_AGE_NO_IDENTITY');
    expect(err?.message).toMatch(/no identity matched/);
    expect(out.length).toBe(0);
  });

  it('rejects a header MAC mismatch', async () => {
    const lineStart = smallCt.indexOf('\n---') + 1;
    const end = smallCt.indexOf('\n', lineStart);
    const forged = Buffer.concat([
      smallCt.subarray(0, lineStart),
      Buffer.from(`--- ${encodeBase64(randomBytes(32))}`),
      smallCt.subarray(end),
    ]);
    expect((await expectReject(forged, ['E_AGE_MAC'])).err.message).toMatch(/MAC/);

    // A stanza slipped into an otherwise valid header is caught by the MAC.
    const versionEnd = smallCt.indexOf('\n') + 1;
    const injected = Buffer.concat([
      smallCt.subarray(0, versionEnd),
      Buffer.from('-> grease x\nAAAA\n'),
      smallCt.subarray(versionEnd),
    ]);
    await expectReject(injected, ['E_AGE_MAC']);
  });

  it('rejects a flipped bit in every byte of a small file, emitting nothing', async () => {
    for (let i = 0; i < smallCt.length; i++) {
      const bad = Buffer.from(smallCt);
      bad[i]! ^= 1 << (i % 8);
      const { out } = await expectReject(
        bad,
        ['E_AGE_HEADER', 'E_AGE_MAC', 'E_AGE_NO_IDENTITY', 'E_AGE_CHUNK', 'E_AGE_TRUNCATED'],
        97,
      );
      expect(out.length, `byte ${i}`).toBe(0);
    }
  });

  it('rejects 200 random flips in a 1 MB file, never emitting an unauthenticated chunk', async () => {
    const start = payloadStart(bigCt);
    for (const pos of positions(42, 200, bigCt.length)) {
      const bad = Buffer.from(bigCt);
      bad[pos]! ^= 0x80 >> (pos % 8);
      const { out, err } = await attempt(bad, 65536);
      expect(err, `flip at ${pos}`).toBeInstanceOf(AgeError);
      if (pos >= start - 16) {
        expect(err!.code).toBe('E_AGE_CHUNK');
        // Only chunks wholly before the flipped one may have come out, and only genuine plaintext.
        const intact = pos < start ? 0 : Math.floor((pos - start) / SEALED_CHUNK_SIZE) * CHUNK_SIZE;
        expect(out.length).toBeLessThanOrEqual(intact);
        expect(out.equals(big.subarray(0, out.length))).toBe(true);
      } else {
        expect(out.length).toBe(0);
      }
    }
  });

  it('rejects truncation at every offset of a small file', async () => {
    const start = payloadStart(smallCt);
    for (let len = 0; len < smallCt.length; len++) {
      const { out, err } = await attempt(smallCt.subarray(0, len), 64);
      expect(err, `truncated to ${len}`).toBeInstanceOf(AgeError);
      // Within the header, nonce or tag the cut is certain; inside a chunk it is an auth failure.
      expect(err!.code, `truncated to ${len}`).toBe(len < start + 16 ? 'E_AGE_TRUNCATED' : 'E_AGE_CHUNK');
      expect(out.length).toBe(0);
    }
  });

  it('rejects truncation at and around chunk boundaries', async () => {
    const plaintext = randomBytes(3 * CHUNK_SIZE + 1000);
    const ct = await encryptBuffer(plaintext, [recipient]);
    const start = payloadStart(ct);
    for (let k = 0; k <= 3; k++) {
      const boundary = start + k * SEALED_CHUNK_SIZE;
      for (const len of [boundary - 1, boundary, boundary + 1, boundary + 16]) {
        const { out, err } = await attempt(ct.subarray(0, len), 65536);
        expect(err, `truncated to ${len}`).toBeInstanceOf(AgeError);
        expect(out.equals(plaintext.subarray(0, out.length))).toBe(true);
        if (len === boundary) {
          expect(err!.code).toBe('E_AGE_TRUNCATED');
          expect(err!.message).toBe('archive is truncated: the age stream ends without its final chunk');
        }
      }
    }
    // A multiple of the chunk size ends in a full final chunk; dropping it is caught too.
    const even = randomBytes(2 * CHUNK_SIZE);
    const evenCt = await encryptBuffer(even, [recipient]);
    expect(evenCt.length).toBe(payloadStart(evenCt) + 2 * SEALED_CHUNK_SIZE);
    await expectReject(evenCt.subarray(0, payloadStart(evenCt) + SEALED_CHUNK_SIZE), ['E_AGE_TRUNCATED']);
  });

  it('rejects trailing data', async () => {
    for (const extra of [
      randomBytes(1),
      randomBytes(16),
      randomBytes(17),
      randomBytes(SEALED_CHUNK_SIZE),
      smallCt,
    ]) {
      await expectReject(Buffer.concat([smallCt, extra]), ['E_AGE_CHUNK']);
    }
    // After a full final chunk the cut is unambiguous, and the message says so.
    const full = await encryptBuffer(randomBytes(CHUNK_SIZE), [recipient]);
    const { err } = await expectReject(Buffer.concat([full, Buffer.from('x')]), ['E_AGE_CHUNK']);
    expect(err.message).toMatch(/trailing data after the final chunk/);
  });

  it('rejects malformed chunk sequences', async () => {
    const full = randomBytes(CHUNK_SIZE);
    // Sanity check of the crafting itself.
    const good = craft({
      chunks: [
        { plaintext: full, last: false },
        { plaintext: Buffer.from('end'), last: true },
      ],
    });
    expect((await attempt(good)).out.equals(Buffer.concat([full, Buffer.from('end')]))).toBe(true);

    const emptyLast = craft({
      chunks: [
        { plaintext: full, last: false },
        { plaintext: Buffer.alloc(0), last: true },
      ],
    });
    expect((await expectReject(emptyLast, ['E_AGE_CHUNK'])).err.message).toMatch(/empty final chunk/);
    // A final chunk followed by another.
    const lastTwice = craft({
      chunks: [
        { plaintext: full, last: true },
        { plaintext: full, last: true },
      ],
    });
    expect((await expectReject(lastTwice, ['E_AGE_CHUNK'])).err.message).toMatch(/trailing data/);
    // A short chunk that is not the last.
    const shortFirst = craft({
      chunks: [
        { plaintext: Buffer.from('ab'), last: false },
        { plaintext: full, last: true },
      ],
    });
    await expectReject(shortFirst, ['E_AGE_CHUNK']);
    // No chunk flagged last at all.
    const noLast = craft({
      chunks: [
        { plaintext: full, last: false },
        { plaintext: full, last: false },
      ],
    });
    await expectReject(noLast, ['E_AGE_TRUNCATED']);
    // Header and nonce, then nothing.
    await expectReject(craft({ chunks: [] }), ['E_AGE_TRUNCATED']);
  });

  it('rejects inputs that are not age v1 files', async () => {
    await expectReject(Buffer.alloc(0), ['E_AGE_TRUNCATED']);
    const cases: [string, RegExp][] = [
      ['hello world, not encrypted\n', /not an age-encrypted file/],
      ['-----BEGIN AGE ENCRYPTED FILE-----\nYWdl\n', /armored/],
      ['age-encryption.org/v2\n-> X25519 abc\n', /unsupported age format version/],
      ['age-encryption.org/v1\n--- AAAA\n', /malformed age header/],
    ];
    for (const [text, message] of cases) {
      expect((await expectReject(Buffer.from(text), ['E_AGE_HEADER'])).err.message).toMatch(message);
    }
    // Without a header end the input is not buffered forever.
    const endless = Buffer.concat([
      Buffer.from('age-encryption.org/v1\n-> X25519 a\n'),
      Buffer.alloc(1_100_000, 65),
    ]);
    expect((await expectReject(endless, ['E_AGE_HEADER'], 65536)).err.message).toMatch(/within 1 MiB/);
  });

  it('rejects malformed X25519 stanzas and scrypt mixed with others', async () => {
    const chunks = [{ plaintext: Buffer.from('x'), last: true }];
    const body = randomBytes(32);
    const bad: Stanza[][] = [
      [{ type: 'X25519', args: [encodeBase64(randomBytes(32)), 'extra'], body }],
      [{ type: 'X25519', args: [encodeBase64(randomBytes(31))], body }],
      [{ type: 'X25519', args: [encodeBase64(randomBytes(32))], body: randomBytes(33) }],
      // A low-order point: the shared secret would be all zeros.
      [{ type: 'X25519', args: [encodeBase64(Buffer.alloc(32))], body }],
      [{ type: 'scrypt', args: [encodeBase64(randomBytes(16)), '10'], body }],
    ];
    for (const extraStanzas of bad) {
      await expectReject(craft({ extraStanzas, chunks }), ['E_AGE_HEADER']);
    }
    // A passphrase-encrypted file says so rather than "wrong key".
    const scryptOnly = encodeHeader(
      [{ type: 'scrypt', args: [encodeBase64(randomBytes(16)), '10'], body }],
      randomBytes(16),
    );
    const { err } = await expectReject(Buffer.concat([scryptOnly, randomBytes(40)]), ['E_AGE_NO_IDENTITY']);
    expect(err.message).toMatch(/passphrase/);
    // Non-canonical base64 (non-zero trailing bits) in an argument.
    const share = encodeBase64(randomBytes(32));
    const last = 'AEIMQUYcgkosw048'.indexOf(share.at(-1)!) >= 0 ? 'B' : 'A';
    const nonCanonical = craft({
      extraStanzas: [{ type: 'X25519', args: [share.slice(0, -1) + last], body }],
      chunks,
    });
    await expectReject(nonCanonical, ['E_AGE_HEADER']);
  });
});

describe('age header parsing', () => {
  let tmp = '';
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-age-hdr-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('skips unknown stanzas, with bodies of every line layout, like age does', async () => {
    const plaintext = randomBytes(5000);
    const extraStanzas: Stanza[] = [
      { type: 'ssh-ed25519', args: ['Xyg06A', encodeBase64(randomBytes(32))], body: randomBytes(32) },
      { type: 'example.com/grease', args: ['a', 'b!'], body: Buffer.alloc(0) },
      { type: 'grease-48', args: [], body: randomBytes(48) }, // a full line, then an empty one
      { type: 'grease-100', args: ['x'], body: randomBytes(100) },
    ];
    const ct = craft({ extraStanzas, chunks: [{ plaintext, last: true }] });
    expect(ct.toString('latin1')).toMatch(/\n-> grease-48\n[A-Za-z0-9+/]{64}\n\n/);
    expect((await attempt(ct, 10)).out.equals(plaintext)).toBe(true);

    if (fs.existsSync(AGE)) {
      const keyFile = path.join(tmp, 'key.txt');
      fs.writeFileSync(keyFile, formatIdentityFile(identity, new Date()));
      expect(execFileSync(AGE, ['-d', '-i', keyFile], { input: ct }).equals(plaintext)).toBe(true);
    }
  });
});
