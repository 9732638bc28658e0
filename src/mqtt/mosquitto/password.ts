import { createHash, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { StewardError } from '../../core/errors.js';

/**
 * Mosquitto password hashes, byte-compatible with `mosquitto_passwd` 2.0:
 * - `$7$<iterations>$<salt b64>$<hash b64>`: PBKDF2-HMAC-SHA512, 12-byte salt, 64-byte key (2.0 default).
 * - `$6$<salt b64>$<hash b64>`: SHA512(password ‖ salt), what 1.6 and earlier wrote; verified, never written.
 * The salt is base64-decoded before use, as the broker does.
 */

/** mosquitto_passwd 2.0's count; the broker pays it on every CONNECT, which matters on a Pi. */
export const defaultIterations = 101;
const saltBytes = 12;
const keyBytes = 64;

export interface HashOptions {
  iterations?: number;
  /** 12 random bytes by default; fixed only in tests. */
  salt?: Buffer;
}

export function hashPassword(password: string, opts: HashOptions = {}): string {
  const iterations = opts.iterations ?? defaultIterations;
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new StewardError(
      'E_CONFIG',
      `password hash iterations must be a positive integer, got ${iterations}`,
    );
  }
  // The broker measures the password with strlen(): a NUL would silently cut it short.
  if (password.includes('\0')) throw new StewardError('E_CONFIG', 'a password contains a NUL character');
  const salt = opts.salt ?? randomBytes(saltBytes);
  const key = pbkdf2Sync(password, salt, iterations, keyBytes, 'sha512');
  return `$7$${iterations}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export interface ParsedHash {
  type: '6' | '7';
  /** Absent for `$6$`. */
  iterations?: number;
  salt: Buffer;
  hash: Buffer;
}

const b64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Accepts a bare hash or a whole `user:hash` line; null when it is not a hash Mosquitto 2 reads. */
export function parseHash(hashLine: string): ParsedHash | null {
  const colon = hashLine.indexOf(':');
  const text = (colon === -1 ? hashLine : hashLine.slice(colon + 1)).trim();
  const parts = text.split('$');
  if (parts[0] !== '') return null;
  if (parts[1] === '7' && parts.length === 5) {
    const [, , iter, salt, hash] = parts;
    if (!iter || !/^\d+$/.test(iter) || !salt || !hash || !b64.test(salt) || !b64.test(hash)) return null;
    const iterations = Number(iter);
    if (iterations < 1) return null;
    return { type: '7', iterations, salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
  }
  if (parts[1] === '6' && parts.length === 4) {
    const [, , salt, hash] = parts;
    if (!salt || !hash || !b64.test(salt) || !b64.test(hash)) return null;
    return { type: '6', salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
  }
  return null;
}

export function verifyPassword(password: string, hashLine: string): boolean {
  const parsed = parseHash(hashLine);
  if (!parsed || parsed.hash.length !== keyBytes || password.includes('\0')) return false;
  const computed =
    parsed.type === '7'
      ? pbkdf2Sync(password, parsed.salt, parsed.iterations ?? defaultIterations, keyBytes, 'sha512')
      : createHash('sha512').update(password).update(parsed.salt).digest();
  return timingSafeEqual(computed, parsed.hash);
}

/** `$7$…`: enough to say which kind of hash a line holds, nothing that helps guess the password. */
export function maskHash(hash: string): string {
  const m = /^\$(\d+)\$/.exec(hash);
  return m ? `$${m[1]}$…` : '…';
}
