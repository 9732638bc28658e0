// MQTT ingest state: quarantined messages (matched a rule, could not become samples) and
// per-device sequence state for dedup. Neither opens a transaction: the ingest loop writes
// samples, sequence state and quarantine rows together in one of its own.
import type { Clock } from '../core/clock.js';
import { isoNow } from '../core/clock.js';
import { StewardError } from '../core/errors.js';
import { type Db, normalizeLimit, statementCache, toIsoInstant } from './statements.js';

export const QUARANTINE_EXCERPT_BYTES = 256;
export const QUARANTINE_DEFAULT_KEEP = 10_000;
/** Topics and reasons are stored up to this many characters (a topic may be 64 KiB). */
const MAX_TEXT_CHARS = 1024;

export interface QuarantineInput {
  receivedAt: Date | string;
  topic: string;
  reason: string;
  payload: Uint8Array;
}

export interface QuarantineRecord {
  id: number;
  receivedAt: string;
  topic: string;
  reason: string;
  /** The first 256 bytes: text with control characters escaped, or "hex:" and hex digits when binary. */
  payloadExcerpt: string;
  payloadBytes: number;
}

interface QuarantineRow {
  id: number;
  received_at: string;
  topic: string;
  reason: string;
  payload_excerpt: string;
  payload_bytes: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Length of `bytes` without a UTF-8 sequence cut short at the end (the excerpt may split one). */
function completeUtf8Length(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const b = bytes[bytes.length - back] as number;
    if ((b & 0xc0) !== 0x80) {
      // A lead byte: complete if its sequence fits in what follows it.
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      return need > back ? bytes.length - back : bytes.length;
    }
  }
  return bytes.length;
}

// Controls, format characters (bidi overrides, zero-width), line/paragraph separators: all invisible or disruptive.
const UNPRINTABLE = /[\p{Cc}\p{Cf}\u2028\u2029\\]/gu;
const SHORT: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(c: string): string {
  const short = SHORT[c];
  if (short) return short;
  const cp = c.codePointAt(0) as number;
  return cp > 0xffff ? `\\u{${cp.toString(16)}}` : `\\u${cp.toString(16).padStart(4, '0')}`;
}

/**
 * What a person sees of a payload: printable text as is (control and invisible characters
 * escaped, backslash doubled), or "hex:" + hex when it is not UTF-8 or mostly control bytes.
 */
export function payloadExcerpt(payload: Uint8Array): string {
  let head = payload.subarray(0, QUARANTINE_EXCERPT_BYTES);
  if (payload.length > QUARANTINE_EXCERPT_BYTES) head = head.subarray(0, completeUtf8Length(head));
  const hex = `hex:${Buffer.from(payload.subarray(0, QUARANTINE_EXCERPT_BYTES)).toString('hex')}`;
  let text: string;
  try {
    text = utf8.decode(head);
  } catch {
    return hex;
  }
  let controls = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return hex;
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) controls++;
  }
  if (controls * 10 > text.length) return hex;
  const escaped = text.replace(UNPRINTABLE, escapeChar);
  // Text that itself begins "hex:" gets its h escaped, so the two forms never look alike.
  return escaped.startsWith('hex:') ? `\\u0068${escaped.slice(1)}` : escaped;
}

const clip = (s: string): string => (s.length > MAX_TEXT_CHARS ? `${s.slice(0, MAX_TEXT_CHARS)}…` : s);

const toRecord = (r: QuarantineRow): QuarantineRecord => ({
  id: r.id,
  receivedAt: r.received_at,
  topic: r.topic,
  reason: r.reason,
  payloadExcerpt: r.payload_excerpt,
  payloadBytes: r.payload_bytes,
});

function keepCount(keep: number): number {
  if (!Number.isSafeInteger(keep) || keep < 0) {
    throw new StewardError('E_USAGE', `keep must be a non-negative integer, got ${keep}`);
  }
  return keep;
}

/** Quarantined MQTT messages, newest first; the table keeps the newest `keep` rows. */
export class MqttQuarantine {
  readonly #q: ReturnType<typeof statementCache>;
  readonly #keep: number;

  constructor(db: Db, opts: { keep?: number } = {}) {
    this.#q = statementCache(db);
    this.#keep = keepCount(opts.keep ?? QUARANTINE_DEFAULT_KEEP);
  }

  /** Adds rows in the caller's transaction (or autocommit), then trims the table to `keep`. */
  add(rows: readonly QuarantineInput[]): void {
    if (rows.length === 0) return;
    const insert = this.#q(
      'INSERT INTO mqtt_quarantine (received_at, topic, reason, payload_excerpt, payload_bytes) VALUES (?, ?, ?, ?, ?)',
    );
    for (const row of rows) {
      insert.run(
        toIsoInstant(row.receivedAt, 'receivedAt'),
        clip(row.topic),
        clip(row.reason),
        payloadExcerpt(row.payload),
        row.payload.byteLength,
      );
    }
    // Ids grow by one per row and rows go only from the old end, so this is "all but the newest keep".
    this.#q('DELETE FROM mqtt_quarantine WHERE id <= (SELECT MAX(id) FROM mqtt_quarantine) - ?').run(
      this.#keep,
    );
  }

  /** Newest first; `since` is inclusive. */
  list(opts: { limit?: number; since?: Date | string; topic?: string } = {}): QuarantineRecord[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (opts.since !== undefined) {
      where.push('received_at >= ?');
      args.push(toIsoInstant(opts.since, 'since'));
    }
    if (opts.topic !== undefined) {
      where.push('topic = ?');
      args.push(opts.topic);
    }
    args.push(normalizeLimit(opts.limit));
    const sql = `SELECT * FROM mqtt_quarantine ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY received_at DESC, id DESC LIMIT ?`;
    return (this.#q(sql).all(...args) as QuarantineRow[]).map(toRecord);
  }

  count(): number {
    return (this.#q('SELECT count(*) AS n FROM mqtt_quarantine').get() as { n: number }).n;
  }

  /** Keeps the newest `keep` rows (by insertion); returns how many were deleted. */
  prune(opts: { keep?: number } = {}): number {
    const keep = keepCount(opts.keep ?? this.#keep);
    return this.#q(
      'DELETE FROM mqtt_quarantine WHERE id <= (SELECT id FROM mqtt_quarantine ORDER BY id DESC LIMIT 1 OFFSET ?)',
    ).run(keep).changes;
  }
}

/** One device's dedup state (the shape SequenceTracker.load/dirty use). */
export interface MqttSequenceState {
  device: string;
  lastSeq: number;
  recent: number[];
}

export interface MqttSequenceRecord extends MqttSequenceState {
  updatedAt: string;
}

function parseRecent(json: string): number[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((n): n is number => Number.isSafeInteger(n)) : [];
  } catch {
    return [];
  }
}

/** Per-device sequence high-water marks and recent sequences, so dedup survives a restart. */
export class MqttSequences {
  readonly #q: ReturnType<typeof statementCache>;
  readonly #clock: Clock;

  constructor(db: Db, clock: Clock) {
    this.#q = statementCache(db);
    this.#clock = clock;
  }

  /** Upserts device states in the caller's transaction, with the samples they admitted. */
  save(states: readonly MqttSequenceState[]): void {
    if (states.length === 0) return;
    const now = isoNow(this.#clock);
    const upsert = this.#q(
      `INSERT INTO mqtt_sequences (device, last_seq, recent, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (device) DO UPDATE SET last_seq = excluded.last_seq, recent = excluded.recent, updated_at = excluded.updated_at`,
    );
    for (const s of states) upsert.run(s.device, s.lastSeq, JSON.stringify(s.recent), now);
  }

  /** Every device, least recently updated first (the order SequenceTracker.load wants). */
  all(): MqttSequenceRecord[] {
    const rows = this.#q('SELECT * FROM mqtt_sequences ORDER BY updated_at, device').all() as {
      device: string;
      last_seq: number;
      recent: string;
      updated_at: string;
    }[];
    return rows.map((r) => ({
      device: r.device,
      lastSeq: r.last_seq,
      recent: parseRecent(r.recent),
      updatedAt: r.updated_at,
    }));
  }

  /** Forgets devices not heard from since `before`; returns how many. */
  pruneStale(before: Date | string): number {
    return this.#q('DELETE FROM mqtt_sequences WHERE updated_at < ?').run(toIsoInstant(before, 'before'))
      .changes;
  }
}
