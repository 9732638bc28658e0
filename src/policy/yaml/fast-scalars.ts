/**
 * Scalar decoding for the fast compose-subset scanner. Every function here mirrors what the
 * `yaml` library (v2, YAML 1.2 core schema) does for the same source text, and returns null
 * wherever the library would report an error, so the caller can decline.
 */
import type { ScalarValue } from './raw.js';

// The core schema's numeric tests, tried in the library's order (intOct, int, intHex, floatNaN,
// floatExp, float); null and bool are checked by hand first.
const INT_OCT = /^0o[0-7]+$/;
const INT = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/** Resolves a plain scalar's source the way the core schema does. */
export function resolvePlain(s: string): ScalarValue {
  const c = s.charCodeAt(0);
  // Most plain scalars are words: only a few first characters can start a non-string.
  if (c >= 0x30 && c <= 0x39) return resolveNumber(s);
  switch (c) {
    case 0x2b: // +
    case 0x2d: // -
    case 0x2e: // .
      return resolveNumber(s);
    case 0x7e: // ~
      return s.length === 1 ? null : s;
    case 0x6e: // n
    case 0x4e: // N
      return s === 'null' || s === 'Null' || s === 'NULL' ? null : s;
    case 0x74: // t
    case 0x54: // T
      return s === 'true' || s === 'True' || s === 'TRUE' ? true : s;
    case 0x66: // f
    case 0x46: // F
      return s === 'false' || s === 'False' || s === 'FALSE' ? false : s;
    default:
      return s.length === 0 ? null : s;
  }
}

function resolveNumber(s: string): ScalarValue {
  if (INT_OCT.test(s)) return Number.parseInt(s.substring(2), 8);
  if (INT.test(s)) return Number.parseInt(s, 10);
  if (INT_HEX.test(s)) return Number.parseInt(s.substring(2), 16);
  if (FLOAT_NAN.test(s)) {
    if (s.slice(-3).toLowerCase() === 'nan') return Number.NaN;
    return s.charCodeAt(0) === 0x2d ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (FLOAT_EXP.test(s) || FLOAT.test(s)) return Number.parseFloat(s);
  return s;
}

const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
};

const HEX = /^[0-9a-fA-F]+$/;

/**
 * Decodes the body of a one-line double-quoted scalar (`src[from..to)`, quotes excluded).
 * Returns null for an escape the library rejects.
 */
export function unescapeDouble(src: string, from: number, to: number): string | null {
  let res = '';
  let run = from;
  for (let i = from; i < to; i++) {
    if (src.charCodeAt(i) !== 0x5c) continue;
    res += src.slice(run, i);
    const next = src[i + 1] ?? '';
    const mapped = ESCAPES[next];
    if (mapped !== undefined) {
      res += mapped;
      i += 1;
    } else if (next === 'x' || next === 'u' || next === 'U') {
      const len = next === 'x' ? 2 : next === 'u' ? 4 : 8;
      const hex = src.slice(i + 2, i + 2 + len);
      if (hex.length !== len || i + 2 + len > to || !HEX.test(hex)) return null;
      const code = Number.parseInt(hex, 16);
      if (code > 0x10ffff) return null;
      res += String.fromCodePoint(code);
      i += 1 + len;
    } else {
      return null;
    }
    run = i + 1;
  }
  return res + src.slice(run, to);
}

/**
 * End of a block scalar's content token as the library's lexer (parseBlockScalar) cuts it:
 * `start` is the line after the header, `parentIndent` the enclosing collection's column.
 * Returns -1 when there is no content line indented past the parent (an empty block scalar).
 */
export function blockScalarEnd(src: string, start: number, parentIndent: number, keep: boolean): number {
  const n = src.length;
  // Find the first non-empty line; its indentation is the content indentation ...
  let nl = start - 1;
  let indent = 0;
  let k = start;
  for (; k < n; k++) {
    const ch = src.charCodeAt(k);
    if (ch === 0x20) indent++;
    else if (ch === 0x0a) {
      nl = k;
      indent = 0;
    } else break;
  }
  if (k >= n || indent <= parentIndent) return -1;
  // ... take every following line that is empty or indented at least as much ...
  for (;;) {
    const off = nl + 1;
    let e = off;
    while (src.charCodeAt(e) === 0x20) e++;
    if (!(src.charCodeAt(e) === 0x0a || e - off >= indent)) break;
    if (e >= n) {
      nl = n;
      break;
    }
    nl = src.indexOf('\n', e);
    if (nl === -1) {
      nl = n;
      break;
    }
  }
  // ... and, unless keeping, give back trailing empty lines that are not more indented.
  if (!keep) {
    for (;;) {
      let b = nl - 1;
      const lastChar = b;
      while (src.charCodeAt(b) === 0x20) b--;
      if (src.charCodeAt(b) === 0x0a && b >= start && b + 1 + indent > lastChar) nl = b;
      else break;
    }
  }
  return nl + 1 > n ? n : nl + 1;
}

/**
 * Value of a block scalar whose content token (as the library's lexer cuts it) is `source`,
 * inside a collection at column `parentIndent`, without an explicit indentation indicator.
 * A port of the library's resolveBlockScalar; null where it would report an error.
 */
export function blockScalarValue(
  source: string,
  parentIndent: number,
  folded: boolean,
  chomp: '' | '-' | '+',
): string | null {
  const lines = splitLines(source);
  let chompStart = lines.length;
  for (let i = lines.length - 1; i >= 0; --i) {
    if (lines[i]?.[1] === '') chompStart = i;
    else break;
  }
  if (chompStart === 0) return null; // the scanner never hands over a contentless block
  let trimIndent = parentIndent;
  let contentStart = 0;
  for (let i = 0; i < chompStart; ++i) {
    const [indent, content] = lines[i] ?? ['', ''];
    if (content === '') {
      if (indent.length > trimIndent) trimIndent = indent.length;
    } else {
      // More-indented leading empty lines need an indentation indicator (a library error).
      if (indent.length < trimIndent) return null;
      trimIndent = indent.length;
      contentStart = i;
      if (trimIndent === 0) return null;
      break;
    }
  }
  for (let i = lines.length - 1; i >= chompStart; --i) {
    if ((lines[i]?.[0].length ?? 0) > trimIndent) chompStart = i + 1;
  }
  let value = '';
  let sep = '';
  let prevMoreIndented = false;
  for (let i = 0; i < contentStart; ++i) value += `${lines[i]?.[0].slice(trimIndent) ?? ''}\n`;
  for (let i = contentStart; i < chompStart; ++i) {
    const [indent, content] = lines[i] ?? ['', ''];
    if (content !== '' && indent.length < trimIndent) return null;
    if (!folded) {
      value += sep + indent.slice(trimIndent) + content;
      sep = '\n';
    } else if (indent.length > trimIndent) {
      // More-indented lines of a folded scalar keep their line breaks.
      if (sep === ' ') sep = '\n';
      else if (!prevMoreIndented && sep === '\n') sep = '\n\n';
      value += sep + indent.slice(trimIndent) + content;
      sep = '\n';
      prevMoreIndented = true;
    } else if (content === '') {
      if (sep === '\n') value += '\n';
      else sep = '\n';
    } else {
      value += sep + content;
      sep = ' ';
      prevMoreIndented = false;
    }
  }
  if (chomp === '+') {
    for (let i = chompStart; i < lines.length; ++i) value += `\n${lines[i]?.[0].slice(trimIndent) ?? ''}`;
    if (value[value.length - 1] !== '\n') value += '\n';
  } else if (chomp === '') {
    value += '\n';
  }
  return value;
}

/** The library's splitLines: `[indent, content]` per line (tabs never reach here). */
function splitLines(source: string): [string, string][] {
  const lines: [string, string][] = [];
  let start = 0;
  for (;;) {
    let i = start;
    while (source.charCodeAt(i) === 0x20) i++;
    const nl = source.indexOf('\n', i);
    const end = nl === -1 ? source.length : nl;
    lines.push([source.slice(start, i), source.slice(i, end)]);
    if (nl === -1) return lines;
    start = nl + 1;
  }
}
