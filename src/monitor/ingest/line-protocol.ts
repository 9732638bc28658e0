// InfluxDB line protocol → IngestSample. A hand-written scanner (no regex over whole lines)
// keeps the cost linear in input size whatever a client sends.
import { isPrecision, type Precision, parseFieldNumber, parseTimestamp } from './line-values.js';
import { isReservedLabelName, quote, sanitizeLabelName, sanitizeMetricName } from './names.js';
import type { IngestError, IngestResult, IngestSample } from './types.js';

export type { Precision } from './line-values.js';

export interface LineProtocolOptions {
  /** Unit of the trailing timestamp; default `ns` as in InfluxDB. */
  precision?: Precision;
  /** Maximum non-blank lines (comments included); default 100000. */
  maxLines?: number;
}

export const MAX_LINE_BYTES = 64 * 1024;
export const DEFAULT_MAX_LINES = 100_000;

const MEASUREMENT_ESCAPES = ', ';
const KEY_ESCAPES = ',= ';

/** Thrown inside a single line and turned into an IngestError by the line loop. */
class LineError extends Error {}

interface Token {
  text: string;
  end: number;
}

/**
 * Reads until an unescaped char from `stops`. `\` before a char in `escapes` or before another
 * `\` (as the v2 docs allow) yields that char; any other backslash is literal. Tokens without a
 * backslash (nearly all) are one slice, not a string built char by char.
 */
function readToken(s: string, start: number, stops: string, escapes: string): Token {
  let i = start;
  while (i < s.length) {
    const c = s[i] as string;
    if (c === '\\') return readEscapedToken(s, start, stops, escapes);
    if (stops.includes(c)) break;
    i++;
  }
  return { text: s.slice(start, i), end: i };
}

function readEscapedToken(s: string, start: number, stops: string, escapes: string): Token {
  let text = '';
  let i = start;
  while (i < s.length) {
    const c = s[i] as string;
    const next = s[i + 1];
    if (c === '\\' && next !== undefined && (next === '\\' || escapes.includes(next))) {
      text += next;
      i += 2;
    } else if (stops.includes(c)) {
      break;
    } else {
      text += c;
      i++;
    }
  }
  return { text, end: i };
}

/** Names repeat line after line: their sanitized forms are remembered (bounded, cleared when full). */
function cachedName(cache: Map<string, string>, raw: string, sanitize: (raw: string) => string): string {
  let name = cache.get(raw);
  if (name === undefined) {
    name = sanitize(raw);
    if (cache.size >= 10_000) cache.clear();
    cache.set(raw, name);
  }
  return name;
}
const metricNames = new Map<string, string>();
const labelNames = new Map<string, string>();

/** Index just past the closing quote of a string field value starting at `start` (the opening quote). */
function skipString(s: string, start: number, field: string): number {
  let i = start + 1;
  while (i < s.length) {
    const c = s[i];
    if (c === '\\' && (s[i + 1] === '"' || s[i + 1] === '\\')) i += 2;
    else if (c === '"') return i + 1;
    else i++;
  }
  throw new LineError(`unterminated string for field ${quote(field)}`);
}

function skipSpaces(s: string, i: number): number {
  while (s[i] === ' ') i++;
  return i;
}

function parseLine(line: string, precision: Precision): IngestSample[] {
  const measurement = readToken(line, 0, ', ', MEASUREMENT_ESCAPES);
  if (measurement.text === '') throw new LineError('missing measurement');
  let i = measurement.end;

  const labels: Record<string, string> = {};
  while (line[i] === ',') {
    const key = readToken(line, i + 1, KEY_ESCAPES, KEY_ESCAPES);
    if (line[key.end] !== '=') throw new LineError(`missing "=" in tag ${quote(key.text)}`);
    if (key.text === '') throw new LineError('empty tag key');
    const value = readToken(line, key.end + 1, ', ', KEY_ESCAPES);
    if (value.text === '') throw new LineError(`empty value for tag ${quote(key.text)}`);
    const name = cachedName(labelNames, key.text, sanitizeLabelName);
    if (isReservedLabelName(name)) {
      throw new LineError(`reserved label name ${quote(name)} (starts with "__")`);
    }
    if (Object.hasOwn(labels, name)) throw new LineError(`duplicate label ${quote(name)}`);
    labels[name] = value.text;
    i = value.end;
  }

  i = skipSpaces(line, i);
  if (i >= line.length) throw new LineError('missing field set');

  const samples: IngestSample[] = [];
  const seen = new Set<string>();
  for (;;) {
    const key = readToken(line, i, KEY_ESCAPES, KEY_ESCAPES);
    if (line[key.end] !== '=') throw new LineError(`missing "=" in field ${quote(key.text)}`);
    if (key.text === '') throw new LineError('empty field key');
    const field = key.text;
    i = key.end + 1;
    if (line[i] === '"') {
      // String fields carry no numeric value; skip them.
      i = skipString(line, i, field);
    } else {
      const raw = readToken(line, i, ', ', '');
      if (raw.text === '') throw new LineError(`missing value for field ${quote(field)}`);
      const parsed = parseFieldNumber(raw.text);
      if (!parsed.ok) throw new LineError(`${parsed.reason} ${quote(raw.text)} for field ${quote(field)}`);
      const name = cachedName(
        metricNames,
        field === 'value' ? measurement.text : `${measurement.text}_${field}`,
        sanitizeMetricName,
      );
      if (seen.has(name)) throw new LineError(`duplicate field ${quote(field)} (metric ${quote(name)})`);
      seen.add(name);
      samples.push({ name, labels, value: parsed.value });
      i = raw.end;
    }
    if (line[i] === ',') {
      i++;
      continue;
    }
    if (i < line.length && line[i] !== ' ') {
      throw new LineError(`unexpected character ${quote(line[i] ?? '')} after field ${quote(field)}`);
    }
    break;
  }
  if (samples.length === 0) throw new LineError('no numeric field');

  i = skipSpaces(line, i);
  let ts: number | undefined;
  if (i < line.length) {
    const raw = readToken(line, i, ' ', '');
    const parsed = parseTimestamp(raw.text, precision);
    if (!parsed.ok) throw new LineError(`${parsed.reason} ${quote(raw.text)}`);
    ts = parsed.value;
    i = skipSpaces(line, raw.end);
    if (i < line.length) throw new LineError(`unexpected content after timestamp: ${quote(line.slice(i))}`);
  }

  // Each sample gets its own labels object so callers can mutate one without affecting siblings
  // (the first keeps the one built here).
  samples.forEach((sample, k) => {
    if (k > 0) sample.labels = { ...labels };
    if (ts !== undefined) sample.ts = ts;
  });
  return samples;
}

/** UTF-16 length bounds the UTF-8 size (≤ 3 bytes per code unit), so most lines skip the byte count. */
function tooLong(line: string): boolean {
  return line.length * 3 > MAX_LINE_BYTES && Buffer.byteLength(line, 'utf8') > MAX_LINE_BYTES;
}

/**
 * Parses InfluxDB line protocol. Never throws: each bad line becomes an IngestError with its
 * 1-based line number, and valid lines are kept.
 */
export function parseLineProtocol(text: string, opts: LineProtocolOptions = {}): IngestResult {
  const samples: IngestSample[] = [];
  const errors: IngestError[] = [];
  if (typeof text !== 'string') return { samples, errors: [{ at: 0, message: 'input is not a string' }] };
  const precision = opts.precision ?? 'ns';
  if (!isPrecision(precision)) {
    return { samples, errors: [{ at: 0, message: `invalid precision ${quote(String(precision))}` }] };
  }
  const maxLines =
    typeof opts.maxLines === 'number' && opts.maxLines >= 0 ? Math.floor(opts.maxLines) : DEFAULT_MAX_LINES;

  let start = 0;
  let lineNo = 0;
  let counted = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl;
    lineNo++;
    let line = text.slice(start, end);
    start = end + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    const body = line.trimStart();
    if (body.trimEnd() !== '') {
      counted++;
      if (counted > maxLines) {
        errors.push({
          at: lineNo,
          message: `line ${lineNo}: too many lines (limit ${maxLines}); this and all following lines were ignored`,
        });
        break;
      }
      if (!body.startsWith('#')) {
        if (tooLong(line)) {
          errors.push({ at: lineNo, message: `line ${lineNo}: line longer than ${MAX_LINE_BYTES} bytes` });
        } else {
          try {
            for (const sample of parseLine(body, precision)) samples.push(sample);
          } catch (err) {
            // LineError is the expected path; anything else is a parser bug, still reported per line.
            const reason = err instanceof LineError ? err.message : `internal parser error: ${String(err)}`;
            errors.push({ at: lineNo, message: `line ${lineNo}: ${reason}` });
          }
        }
      }
    }
    if (nl === -1) break;
  }
  return { samples, errors };
}
