import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AgeError,
  createDecryptStream,
  createEncryptStream,
  formatIdentityFile,
  generateIdentity,
  isRecipient,
  parseIdentityFile,
  parseRecipients,
  recipientOf,
} from './index.js';
import { encodeRecipient } from './keys.js';

const AGE_KEYGEN = '/usr/bin/age-keygen';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-age-keys-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// From the age specification (c2sp.org/age).
const SPEC_IDENTITY = 'AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX';
const SPEC_RECIPIENT = 'age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj';

function ageError(fn: () => unknown): AgeError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AgeError);
    return err as AgeError;
  }
  throw new Error('expected an AgeError');
}

describe('age keys', () => {
  it('generates identities in the age-keygen format', () => {
    const { identity, recipient } = generateIdentity();
    expect(identity).toMatch(/^AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}$/);
    expect(recipient).toMatch(/^age1[02-9ac-hj-np-z]{58}$/);
    expect(recipientOf(identity)).toBe(recipient);
    expect(generateIdentity().identity).not.toBe(identity);
  });

  it('derives the recipient of the specification example', () => {
    expect(recipientOf(SPEC_IDENTITY)).toBe(SPEC_RECIPIENT);
  });

  it('agrees with age-keygen -y, both ways', () => {
    const theirs = path.join(tmp, 'theirs.key');
    execFileSync(AGE_KEYGEN, ['-o', theirs], { stdio: 'pipe' });
    const text = fs.readFileSync(theirs, 'utf8');
    const [identity] = parseIdentityFile(text, theirs);
    const expected = execFileSync(AGE_KEYGEN, ['-y', theirs]).toString().trim();
    expect(recipientOf(identity!)).toBe(expected);
    expect(text).toContain(`# public key: ${expected}\n`);

    const ours = path.join(tmp, 'ours.key');
    const gen = generateIdentity();
    fs.writeFileSync(ours, formatIdentityFile(gen.identity, new Date()));
    expect(execFileSync(AGE_KEYGEN, ['-y', ours]).toString().trim()).toBe(gen.recipient);
  });

  it('formats identity files like age-keygen', () => {
    const text = formatIdentityFile(SPEC_IDENTITY, new Date('2024-05-06T07:08:09.123Z'));
    expect(text).toBe(`# created: 2024-05-06T07:08:09Z\n# public key: ${SPEC_RECIPIENT}\n${SPEC_IDENTITY}\n`);
    expect(parseIdentityFile(text)).toEqual([SPEC_IDENTITY]);
  });

  it('parses identity files with comments, blank lines, CRLF and several keys', () => {
    const other = generateIdentity().identity;
    const text = `# a comment\r\n\r\n${SPEC_IDENTITY}\r\n\n# another\n${other}`;
    expect(parseIdentityFile(text)).toEqual([SPEC_IDENTITY, other]);
  });

  it('rejects a bad identity line, naming the file and line but not echoing the line', () => {
    const lower = SPEC_IDENTITY.toLowerCase();
    let err = ageError(() => parseIdentityFile(`# c\n\n${lower}\n`, 'key.txt'));
    expect(err.code).toBe('E_AGE_KEY');
    expect(err.message).toMatch(/^key\.txt: line 3: .*upper case/);
    expect(err.message).not.toContain(lower);

    err = ageError(() => parseIdentityFile(`${SPEC_IDENTITY}\n${SPEC_RECIPIENT}\n`));
    expect(err.message).toMatch(/line 2: not an age X25519 identity/);
    // One flipped character breaks the checksum.
    const flipped = `${SPEC_IDENTITY.slice(0, -1)}Y`;
    expect(ageError(() => parseIdentityFile(flipped)).message).toMatch(/line 1: .*checksum/);
    // Leading whitespace is not something age accepts either.
    expect(ageError(() => parseIdentityFile(` ${SPEC_IDENTITY}`)).message).toMatch(/line 1/);
    expect(ageError(() => parseIdentityFile('# only a comment\n')).message).toMatch(/no age identity/);
  });

  it('parses recipients files', () => {
    const r2 = generateIdentity().recipient;
    const text = `# team keys\n${SPEC_RECIPIENT}\n\n  ${r2}  \r\n   # indented comment\n`;
    expect(parseRecipients(text)).toEqual([SPEC_RECIPIENT, r2]);
    expect(parseRecipients('# nothing yet\n')).toEqual([]);

    const err = ageError(() => parseRecipients(`${SPEC_RECIPIENT}\n${SPEC_IDENTITY}\n`, 'recipients.txt'));
    expect(err.code).toBe('E_AGE_KEY');
    expect(err.message).toMatch(/^recipients\.txt: line 2: not an age X25519 recipient/);
    expect(ageError(() => parseRecipients(`\n\n${SPEC_RECIPIENT}x\n`)).message).toMatch(/line 3/);
  });

  it('tells recipients from everything else', () => {
    expect(isRecipient(SPEC_RECIPIENT)).toBe(true);
    expect(isRecipient(generateIdentity().recipient)).toBe(true);
    expect(isRecipient(SPEC_RECIPIENT.toUpperCase())).toBe(false); // age rejects upper case too
    expect(isRecipient(SPEC_IDENTITY)).toBe(false);
    expect(isRecipient(`${SPEC_RECIPIENT.slice(0, -1)}q`)).toBe(false);
    expect(isRecipient('age1')).toBe(false);
    expect(isRecipient('')).toBe(false);
    expect(
      isRecipient('ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN'),
    ).toBe(false);
  });

  it('validates keys when a stream is created', () => {
    expect(ageError(() => createEncryptStream(['age1nope'])).code).toBe('E_AGE_KEY');
    expect(ageError(() => createEncryptStream([])).code).toBe('E_AGE_KEY');
    // A low-order point would make the shared secret all zeros.
    expect(ageError(() => createEncryptStream([encodeRecipient(Buffer.alloc(32))])).message).toMatch(
      /low-order/,
    );
    expect(ageError(() => createDecryptStream([SPEC_RECIPIENT])).code).toBe('E_AGE_KEY');
    expect(ageError(() => createDecryptStream([])).code).toBe('E_AGE_KEY');
  });
});
