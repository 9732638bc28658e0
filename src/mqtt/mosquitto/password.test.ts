import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StewardError } from '../../core/errors.js';
import { hashPassword, maskHash, parseHash, verifyPassword } from './password.js';

const dir = mkdtempSync(join(tmpdir(), 'stw-mqpw-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The real tool's output: `mosquitto_passwd [-H kind] -b [-c] FILE user pass`. */
function realHashLine(user: string, password: string, kind: 'sha512-pbkdf2' | 'sha512'): string {
  const file = join(dir, `${user}-${kind}`);
  execFileSync('/usr/bin/mosquitto_passwd', ['-H', kind, '-b', '-c', file, user, password]);
  const line = readFileSync(file, 'utf8').trim();
  expect(line.startsWith(`${user}:`)).toBe(true);
  return line;
}

describe('hashPassword', () => {
  it('writes $7$ with 101 iterations, a 12-byte salt and a 64-byte key', () => {
    const hash = hashPassword('s3cret');
    expect(hash).toMatch(/^\$7\$101\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==$/);
    const parsed = parseHash(hash);
    expect(parsed?.salt.length).toBe(12);
    expect(parsed?.hash.length).toBe(64);
    expect(hashPassword('s3cret')).not.toBe(hash); // fresh salt each time
  });

  it('is deterministic for a given salt and honours iterations', () => {
    const salt = Buffer.alloc(12, 7);
    const a = hashPassword('pw', { salt, iterations: 1000 });
    expect(a).toBe(hashPassword('pw', { salt, iterations: 1000 }));
    expect(a.startsWith('$7$1000$BwcHBwcHBwcHBwcH$')).toBe(true);
    expect(verifyPassword('pw', a)).toBe(true);
    expect(hashPassword('pw', { salt, iterations: 1001 })).not.toBe(a);
  });

  it('refuses bad iteration counts and NUL in a password', () => {
    expect(() => hashPassword('pw', { iterations: 0 })).toThrow(StewardError);
    expect(() => hashPassword('pw', { iterations: 1.5 })).toThrow(/iterations/);
    expect(() => hashPassword('a\0b')).toThrow(/NUL/);
  });
});

describe('verifyPassword', () => {
  it('verifies what the real mosquitto_passwd writes ($7$, its default)', () => {
    const line = realHashLine('alice', 'correct horse', 'sha512-pbkdf2');
    expect(line).toMatch(/^alice:\$7\$101\$/);
    expect(verifyPassword('correct horse', line)).toBe(true);
    expect(verifyPassword('correct horse', line.slice('alice:'.length))).toBe(true);
    expect(verifyPassword('correct hors', line)).toBe(false);
    expect(verifyPassword('', line)).toBe(false);
  });

  it('verifies the legacy $6$ hashes of Mosquitto 1.x files', () => {
    const line = realHashLine('bob', 'pä$$wörd', 'sha512');
    expect(line).toMatch(/^bob:\$6\$/);
    expect(verifyPassword('pä$$wörd', line)).toBe(true);
    expect(verifyPassword('pa$$word', line)).toBe(false);
  });

  it('says false, not throw, for anything that is not a hash', () => {
    const good = hashPassword('pw');
    for (const bad of [
      '',
      'pw',
      '$7$',
      '$7$x$abc$def',
      '$5$abc$def',
      good.slice(0, -4),
      `${good}$extra`,
      '$7$0$AAAA$AAAA',
    ]) {
      expect(verifyPassword('pw', bad)).toBe(false);
    }
  });

  it('masks a hash down to its kind', () => {
    expect(maskHash(hashPassword('pw'))).toBe('$7$…');
    expect(maskHash('plain')).toBe('…');
  });
});
