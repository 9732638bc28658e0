import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { decodeBase64, encodeBase64 } from './base64.js';
import { AgeError } from './errors.js';

/**
 * The textual age header: version line, recipient stanzas, MAC line. Parsing follows the
 * spec's ABNF strictly (canonical base64, 64-column body lines ending in a short line),
 * so the MAC can be checked over the raw bytes we received.
 */
export const VERSION_LINE = 'age-encryption.org/v1';
const VERSION_PREFIX = Buffer.from(`${VERSION_LINE}\n`);
const COLUMNS = 64;
const ARMOR_BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';

/** A recipient stanza; `type` is the first argument of the `->` line. */
export interface Stanza {
  type: string;
  args: string[];
  body: Buffer;
}

export interface ParsedHeader {
  stanzas: Stanza[];
  /** The header bytes the MAC covers: everything up to and including `---`. */
  macInput: Buffer;
  mac: Buffer;
}

function hmacKey(fileKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', fileKey, Buffer.alloc(0), 'header', 32));
}

export function headerMac(fileKey: Buffer, macInput: Buffer): Buffer {
  return createHmac('sha256', hmacKey(fileKey)).update(macInput).digest();
}

export function verifyHeaderMac(fileKey: Buffer, header: ParsedHeader): boolean {
  const expected = headerMac(fileKey, header.macInput);
  return expected.length === header.mac.length && timingSafeEqual(expected, header.mac);
}

function encodeStanza(s: Stanza): string {
  const b64 = encodeBase64(s.body);
  let out = `-> ${[s.type, ...s.args].join(' ')}\n`;
  // Always end with a short line, which is empty when the body fills its last line.
  for (let i = 0; ; i += COLUMNS) {
    const line = b64.slice(i, i + COLUMNS);
    out += `${line}\n`;
    if (line.length < COLUMNS) break;
  }
  return out;
}

/** The complete header, MAC line included, for `stanzas` wrapping `fileKey`. */
export function encodeHeader(stanzas: readonly Stanza[], fileKey: Buffer): Buffer {
  const macInput = Buffer.from(`${VERSION_LINE}\n${stanzas.map(encodeStanza).join('')}---`, 'latin1');
  return Buffer.concat([macInput, Buffer.from(` ${encodeBase64(headerMac(fileKey, macInput))}\n`)]);
}

/**
 * Rejects, as early as possible, input that cannot be an age v1 file, so that a wrong
 * file fails on its first bytes rather than after the header size limit.
 */
export function checkHeaderStart(buf: Buffer): void {
  const n = Math.min(buf.length, VERSION_PREFIX.length);
  if (buf.subarray(0, n).equals(VERSION_PREFIX.subarray(0, n))) return;
  const start = buf.subarray(0, 64).toString('latin1');
  if (start.startsWith(ARMOR_BEGIN)) {
    throw new AgeError('E_AGE_HEADER', 'ASCII-armored age files are not supported; decode the armor first');
  }
  if (start.startsWith('age-encryption.org/')) {
    throw new AgeError(
      'E_AGE_HEADER',
      'unsupported age format version (only age-encryption.org/v1 is known)',
    );
  }
  throw new AgeError(
    'E_AGE_HEADER',
    'not an age-encrypted file (it does not start with age-encryption.org/v1)',
  );
}

/**
 * Where the MAC line starts (the offset of the newline before it), or -1. It is the first
 * line starting with `---`: stanza lines start with `->` and body lines are base64, which
 * has no `-`. The header ends at the next newline after it.
 */
export function findMacLine(buf: Buffer, from = 0): number {
  return buf.indexOf('\n---', Math.max(0, from));
}

function isArgument(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 33 || c > 126) return false;
  }
  return true;
}

/** Parses exactly one header (`buf` ends with the MAC line's newline). */
export function parseHeader(buf: Buffer): ParsedHeader {
  const bad = (why: string) => new AgeError('E_AGE_HEADER', `malformed age header: ${why}`);
  checkHeaderStart(buf);
  if (buf.length < VERSION_PREFIX.length) throw bad('incomplete version line');
  const text = buf.toString('latin1');
  const lines = text.split('\n');
  // The last element is the empty string after the final newline.
  if (lines.pop() !== '') throw bad('does not end with a newline');
  const stanzas: Stanza[] = [];
  let offset = VERSION_PREFIX.length;
  let i = 1;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.startsWith('---')) {
      if (i !== lines.length - 1) throw bad('data after the MAC line');
      if (!line.startsWith('--- ')) throw bad('malformed MAC line');
      const mac = decodeBase64(line.slice(4));
      if (mac?.length !== 32) throw bad('malformed MAC');
      if (stanzas.length === 0) throw bad('no recipient stanzas');
      return { stanzas, macInput: buf.subarray(0, offset + 3), mac };
    }
    if (!line.startsWith('-> ')) throw bad(`unexpected line ${i + 1}`);
    const args = line.slice(3).split(' ');
    if (!args.every(isArgument)) throw bad(`invalid stanza arguments on line ${i + 1}`);
    offset += line.length + 1;
    i++;
    const body: Buffer[] = [];
    for (;;) {
      const bodyLine = lines[i];
      if (bodyLine === undefined) throw bad('stanza without a body');
      const bytes = bodyLine.length <= COLUMNS ? decodeBase64(bodyLine) : null;
      if (!bytes) throw bad(`invalid stanza body on line ${i + 1}`);
      body.push(bytes);
      offset += bodyLine.length + 1;
      i++;
      if (bodyLine.length < COLUMNS) break;
    }
    const [type, ...rest] = args as [string, ...string[]];
    stanzas.push({ type, args: rest, body: Buffer.concat(body) });
  }
  throw bad('missing MAC line');
}
