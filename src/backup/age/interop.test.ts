import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDecryptStream,
  createEncryptStream,
  decryptBuffer,
  encryptBuffer,
  formatIdentityFile,
  generateIdentity,
  parseIdentityFile,
  recipientOf,
} from './index.js';

/** Round trips against the real `age` binary, which is what a person restoring will use. */
const AGE = '/usr/bin/age';
const AGE_KEYGEN = '/usr/bin/age-keygen';

const SIZES = [0, 1, 65535, 65536, 65537, 3 * 65536, 5_000_123];

function age(args: string[], input: Buffer): Buffer {
  return execFileSync(AGE, args, { input, maxBuffer: 64 << 20, stdio: ['pipe', 'pipe', 'pipe'] });
}

describe('age interop', () => {
  let tmp = '';
  // Keys from both generators: `theirs` by age-keygen, `ours` by generateIdentity.
  const keys = {
    theirs: { identity: '', recipient: '', file: '' },
    ours: { identity: '', recipient: '', file: '' },
  };

  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-age-interop-'));
    keys.theirs.file = path.join(tmp, 'theirs.key');
    execFileSync(AGE_KEYGEN, ['-o', keys.theirs.file], { stdio: 'pipe' });
    keys.theirs.identity = parseIdentityFile(fs.readFileSync(keys.theirs.file, 'utf8'))[0]!;
    keys.theirs.recipient = recipientOf(keys.theirs.identity);
    const gen = generateIdentity();
    keys.ours = { ...gen, file: path.join(tmp, 'ours.key') };
    fs.writeFileSync(keys.ours.file, formatIdentityFile(gen.identity, new Date()), { mode: 0o600 });
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  for (const size of SIZES) {
    it(`our encryption → age -d (${size} bytes, two recipients)`, async () => {
      const plaintext = randomBytes(size);
      const ciphertext = await encryptBuffer(plaintext, [keys.ours.recipient, keys.theirs.recipient], 16384);
      for (const k of [keys.ours, keys.theirs]) {
        expect(age(['-d', '-i', k.file], ciphertext).equals(plaintext)).toBe(true);
      }
    });

    it(`age -r → our decryption (${size} bytes, two recipients)`, async () => {
      const plaintext = randomBytes(size);
      const ciphertext = age(['-r', keys.theirs.recipient, '-r', keys.ours.recipient], plaintext);
      // Different write sizes exercise the chunk buffering; 65552 is exactly one sealed chunk.
      expect((await decryptBuffer(ciphertext, [keys.theirs.identity], 65552)).equals(plaintext)).toBe(true);
      expect((await decryptBuffer(ciphertext, [keys.ours.identity], 4099)).equals(plaintext)).toBe(true);
    });
  }

  it('single recipient, each key alone, both directions', async () => {
    const plaintext = randomBytes(100_000);
    for (const k of [keys.ours, keys.theirs]) {
      const ours = await encryptBuffer(plaintext, [k.recipient]);
      expect(age(['-d', '-i', k.file], ours).equals(plaintext)).toBe(true);
      const theirs = age(['-r', k.recipient], plaintext);
      expect((await decryptBuffer(theirs, [k.identity])).equals(plaintext)).toBe(true);
    }
  });

  it('finds the matching identity among several', async () => {
    const plaintext = randomBytes(1000);
    const ciphertext = age(['-r', keys.theirs.recipient], plaintext);
    const ids = [generateIdentity().identity, keys.ours.identity, keys.theirs.identity];
    expect((await decryptBuffer(ciphertext, ids)).equals(plaintext)).toBe(true);
  });

  it('works as a file pipeline, the way backups use it', async () => {
    const plaintext = randomBytes(3 * 65536 + 12345);
    const src = path.join(tmp, 'plain.bin');
    const enc = path.join(tmp, 'plain.bin.age');
    fs.writeFileSync(src, plaintext);
    await pipeline(
      fs.createReadStream(src),
      createEncryptStream([keys.theirs.recipient]),
      fs.createWriteStream(enc),
    );
    expect(
      execFileSync(AGE, ['-d', '-i', keys.theirs.file, enc], { maxBuffer: 64 << 20 }).equals(plaintext),
    ).toBe(true);
    const chunks: Buffer[] = [];
    await pipeline(
      fs.createReadStream(enc),
      createDecryptStream([keys.theirs.identity]),
      new Writable({
        write(chunk: Buffer, _enc, cb) {
          chunks.push(chunk);
          cb();
        },
      }),
    );
    expect(Buffer.concat(chunks).equals(plaintext)).toBe(true);
  });
});
