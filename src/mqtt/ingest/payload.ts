// Scalar decoding for MQTT payloads: text, bare numbers, JSON nesting, timestamps. Each
// function returns a value or a reason; none throws.
import { z } from 'zod';

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

const ok = <T>(value: T): Decoded<T> => ({ ok: true, value });
const bad = (reason: string): Decoded<never> => ({ ok: false, reason });

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 text of a payload (a leading BOM is dropped); invalid sequences are an error, not U+FFFD. */
export function decodeText(payload: Uint8Array): Decoded<string> {
  try {
    return ok(utf8.decode(payload));
  } catch {
    return bad('payload is not valid UTF-8');
  }
}

/** Longest bare-number payload accepted; also keeps the regex below cheap. */
const MAX_NUMBER_CHARS = 64;
// Unambiguous (no nested quantifiers over the same characters), so no catastrophic backtracking.
const DECIMAL = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/** A decimal number as text (`21.5`, `-3`, `1e3`): no hex, no `NaN`/`Infinity`, nothing else. */
export function parseDecimal(text: string): Decoded<number> {
  const trimmed = text.trim();
  if (trimmed === '') return bad('empty payload (expected a decimal number)');
  if (trimmed.length > MAX_NUMBER_CHARS)
    return bad(`payload is not a decimal number (longer than ${MAX_NUMBER_CHARS} characters)`);
  if (!DECIMAL.test(trimmed)) return bad(`payload ${JSON.stringify(trimmed)} is not a decimal number`);
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return bad(`payload ${JSON.stringify(trimmed)} is out of range`);
  return ok(value);
}

/** Deepest JSON nesting accepted; real sensor payloads are a few levels deep. */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether `text` nests arrays/objects deeper than `max`, scanned before JSON.parse builds the
 * structure. Brackets inside strings do not count. Invalid JSON is left to JSON.parse.
 */
export function jsonTooDeep(text: string, max = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

/** A JSON value as a sample value: finite numbers, booleans as 1/0. */
export function numericValue(v: unknown): Decoded<number> {
  if (typeof v === 'number') return Number.isFinite(v) ? ok(v) : bad('not a finite number');
  if (typeof v === 'boolean') return ok(v ? 1 : 0);
  return bad(`expected a number or a boolean, got ${describe(v)}`);
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 32 ? `${v.slice(0, 32)}…` : v)}`;
  return `a${typeof v === 'object' ? 'n' : ''} ${typeof v}`;
}

/**
 * Numbers below this are seconds since the epoch, from it on milliseconds: 1e11 s is the year
 * 5138 and 1e11 ms is March 1973, so neither unit is plausible on the other side.
 */
export const SECONDS_BELOW = 1e11;

/** Latest storable sample time (ms); beyond it a JS Date is invalid. */
const MAX_TS_MS = 8_640_000_000_000_000;

const isoSchema = z.iso.datetime({ offset: true });

/** A payload timestamp → ms since epoch: a number (s or ms, by magnitude) or an ISO 8601 string with a zone. */
export function timestampMs(v: unknown): Decoded<number> {
  let ms: number;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return bad('timestamp is not a finite number');
    ms = Math.round(Math.abs(v) < SECONDS_BELOW ? v * 1000 : v);
  } else if (typeof v === 'string') {
    if (!isoSchema.safeParse(v).success) {
      return bad(`timestamp ${describe(v)} is not ISO 8601 with a zone (e.g. 2026-01-31T12:00:00Z)`);
    }
    ms = Date.parse(v);
  } else {
    return bad(`timestamp must be a number or an ISO 8601 string, got ${describe(v)}`);
  }
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_TS_MS)
    return bad(`timestamp ${String(v)} is out of range`);
  return ok(ms);
}

/** A sequence number: a non-negative safe integer. */
export function sequenceNumber(v: unknown): Decoded<number> {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return ok(v);
  return bad(
    `sequence must be a non-negative integer, got ${typeof v === 'number' ? String(v) : describe(v)}`,
  );
}
