// Scalar parsers for line protocol field values and timestamps: hand-written scanners, so
// a 64 KiB token of digits costs linear time (a backtracking regex could go quadratic).
import { MAX_TIMESTAMP_MS } from './names.js';

export type Precision = 'ns' | 'us' | 'ms' | 's';

export type Parsed = { ok: true; value: number } | { ok: false; reason: string };

const TRUE_WORDS = new Set(['t', 'T', 'true', 'True', 'TRUE']);
const FALSE_WORDS = new Set(['f', 'F', 'false', 'False', 'FALSE']);

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/** Digits from `start` to end of `s`; at least one required. */
function allDigits(s: string, start: number): boolean {
  if (start >= s.length) return false;
  for (let i = start; i < s.length; i++) if (!isDigit(s[i])) return false;
  return true;
}

/** Influx float syntax: `-?` mantissa (`1`, `1.`, `1.5`, `.5`) with optional exponent. */
function isFloatSyntax(s: string): boolean {
  let i = s[0] === '-' ? 1 : 0;
  let digits = 0;
  while (isDigit(s[i])) {
    i++;
    digits++;
  }
  if (s[i] === '.') {
    i++;
    while (isDigit(s[i])) {
      i++;
      digits++;
    }
  }
  if (digits === 0) return false;
  if (s[i] === 'e' || s[i] === 'E') {
    i++;
    if (s[i] === '+' || s[i] === '-') i++;
    if (!isDigit(s[i])) return false;
    while (isDigit(s[i])) i++;
  }
  return i === s.length;
}

/** Parses a non-string field value (the caller has already dealt with quoted strings). */
export function parseFieldNumber(raw: string): Parsed {
  if (TRUE_WORDS.has(raw)) return { ok: true, value: 1 };
  if (FALSE_WORDS.has(raw)) return { ok: true, value: 0 };
  const last = raw[raw.length - 1];
  if (last === 'i' || last === 'u') {
    const body = raw.slice(0, -1);
    const signed = last === 'i';
    if (!allDigits(body, signed && body[0] === '-' ? 1 : 0)) return { ok: false, reason: 'invalid number' };
    const n = BigInt(body);
    const inRange = signed ? n >= INT64_MIN && n <= INT64_MAX : n <= UINT64_MAX;
    if (!inRange) return { ok: false, reason: `${signed ? 'integer' : 'unsigned integer'} out of range` };
    // Values beyond 2^53 lose precision here; samples are doubles downstream anyway.
    return { ok: true, value: Number(n) };
  }
  if (!isFloatSyntax(raw)) return { ok: false, reason: 'invalid number' };
  const value = Number(raw);
  if (!Number.isFinite(value)) return { ok: false, reason: 'non-finite number' };
  return { ok: true, value };
}

const TO_MS: Record<Precision, (n: bigint) => bigint> = {
  ns: (n) => floorDiv(n, 1_000_000n),
  us: (n) => floorDiv(n, 1_000n),
  ms: (n) => n,
  s: (n) => n * 1_000n,
};

/** BigInt division truncates toward zero; pre-epoch timestamps must round down instead. */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

export function isPrecision(p: unknown): p is Precision {
  return p === 'ns' || p === 'us' || p === 'ms' || p === 's';
}

/** Integer timestamp in `precision` → ms. BigInt keeps 19-digit ns values exact. */
export function parseTimestamp(raw: string, precision: Precision): Parsed {
  if (!allDigits(raw, raw[0] === '-' ? 1 : 0)) return { ok: false, reason: 'invalid timestamp' };
  // Anything this long is out of range in every precision; skip the BigInt work.
  if (raw.length > 40) return { ok: false, reason: 'timestamp out of range' };
  // Up to 15 digits is exact as a double: no BigInt needed for ms and s timestamps (the common case).
  if (raw.length <= 15 && (precision === 'ms' || precision === 's')) {
    const ms = Number(raw) * (precision === 's' ? 1000 : 1) + 0; // + 0: "-0" is 0, as via BigInt
    if (Math.abs(ms) > MAX_TIMESTAMP_MS) return { ok: false, reason: 'timestamp out of range' };
    return { ok: true, value: ms };
  }
  const ms = TO_MS[precision](BigInt(raw));
  if (ms > BigInt(MAX_TIMESTAMP_MS) || ms < -BigInt(MAX_TIMESTAMP_MS)) {
    return { ok: false, reason: 'timestamp out of range' };
  }
  return { ok: true, value: Number(ms) };
}
