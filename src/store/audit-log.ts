import { canonicalJson } from '../core/canonical-json.js';
import { type Clock, isoNow } from '../core/clock.js';
import { StewardError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { type Db, normalizeLimit, sha256hex, statementCache, toIsoInstant } from './statements.js';

/** prev_hash of the first row. */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  seq: number;
  id: string;
  ts: string;
  /** `token:<name>`, `cli:<user>`, `system`, `webhook:<provider>`. */
  actor: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export interface AuditAppendInput {
  actor: string;
  action: string;
  target: string;
  details?: Record<string, unknown>;
}

export interface AuditListOptions {
  /** Only entries at or after this instant. */
  since?: string | Date;
  limit?: number;
  action?: string;
}

export type AuditVerifyResult =
  | { ok: true; rows: number; head: string }
  | {
      ok: false;
      /** Rows that verified before the first bad one. */
      rows: number;
      firstBad: { seq: number; id: string; reason: 'hash' | 'link' | 'gap'; message: string };
    };

/** The chain hash of one entry: SHA-256 over the canonical JSON of its content and its predecessor's hash. */
export function auditHash(entry: {
  id: string;
  ts: string;
  actor: string;
  action: string;
  target: string;
  details: unknown;
  prevHash: string;
}): string {
  const { id, ts, actor, action, target, details, prevHash } = entry;
  return sha256hex(canonicalJson({ id, ts, actor, action, target, details, prev_hash: prevHash }));
}

interface AuditRow {
  seq: number;
  id: string;
  ts: string;
  actor: string;
  action: string;
  target: string;
  details: string;
  prev_hash: string;
  hash: string;
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    seq: row.seq,
    id: row.id,
    ts: row.ts,
    actor: row.actor,
    action: row.action,
    target: row.target,
    details: JSON.parse(row.details) as Record<string, unknown>,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * The JSON round trip first (Dates become strings, undefined disappears), so the object
 * hashed now is exactly what verify() will parse back out of the column later.
 */
function normalizeDetails(details: unknown): Record<string, unknown> {
  const parsed: unknown = JSON.parse(JSON.stringify(details ?? {}));
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new StewardError('E_USAGE', 'audit details must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

function required(value: string, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new StewardError('E_USAGE', `audit ${what} must be a non-empty string`);
  }
  return value;
}

/** The append-only, hash-chained audit log. */
export class AuditLog {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #q: ReturnType<typeof statementCache>;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    this.#q = statementCache(db);
  }

  append(input: AuditAppendInput): AuditEntry {
    const fields = {
      actor: required(input.actor, 'actor'),
      action: required(input.action, 'action'),
      target: required(input.target, 'target'),
      details: normalizeDetails(input.details),
    };
    // IMMEDIATE: reading the head and inserting after it must not interleave with another writer.
    return this.#db
      .transaction((): AuditEntry => {
        const last = this.#q('SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as
          | { hash: string }
          | undefined;
        const entry = {
          id: newId(),
          ts: isoNow(this.#clock),
          ...fields,
          prevHash: last?.hash ?? GENESIS_HASH,
        };
        const hash = auditHash(entry);
        const info = this.#q(
          `INSERT INTO audit_log (id, ts, actor, action, target, details, prev_hash, hash)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          entry.id,
          entry.ts,
          entry.actor,
          entry.action,
          entry.target,
          canonicalJson(entry.details),
          entry.prevHash,
          hash,
        );
        return { seq: Number(info.lastInsertRowid), ...entry, hash };
      })
      .immediate();
  }

  /** Newest first. */
  list(options: AuditListOptions = {}): AuditEntry[] {
    const rows = this.#q(
      `SELECT * FROM audit_log
       WHERE (@since IS NULL OR ts >= @since) AND (@action IS NULL OR action = @action)
       ORDER BY seq DESC LIMIT @limit`,
    ).all({
      since: options.since === undefined ? null : toIsoInstant(options.since, 'since'),
      action: options.action ?? null,
      limit: normalizeLimit(options.limit),
    }) as AuditRow[];
    return rows.map(toEntry);
  }

  /**
   * Walks the chain in seq order and stops at the first row that is missing a
   * predecessor (gap), does not link to it (link) or whose content no longer matches
   * its hash (hash). Truncating the newest rows is only visible against a head hash
   * recorded elsewhere, which is why the head is returned.
   */
  verify(): AuditVerifyResult {
    let rows = 0;
    let expectedSeq = 1;
    let prevHash = GENESIS_HASH;
    for (const row of this.#q(
      'SELECT * FROM audit_log ORDER BY seq',
    ).iterate() as IterableIterator<AuditRow>) {
      const bad = (reason: 'hash' | 'link' | 'gap', message: string): AuditVerifyResult => ({
        ok: false,
        rows,
        firstBad: { seq: row.seq, id: row.id, reason, message },
      });
      if (row.seq !== expectedSeq) {
        return bad(
          'gap',
          `seq ${row.seq} where ${expectedSeq} was expected: ${row.seq - expectedSeq} row(s) missing`,
        );
      }
      if (row.prev_hash !== prevHash) {
        const of = expectedSeq === 1 ? 'the genesis hash' : `the hash of seq ${expectedSeq - 1}`;
        return bad('link', `prev_hash of seq ${row.seq} does not match ${of}`);
      }
      let details: unknown;
      try {
        details = JSON.parse(row.details);
      } catch {
        return bad('hash', `details of seq ${row.seq} are not valid JSON`);
      }
      if (auditHash({ ...row, details, prevHash: row.prev_hash }) !== row.hash) {
        return bad(
          'hash',
          `seq ${row.seq} does not match its hash: the row was changed after it was written`,
        );
      }
      rows++;
      prevHash = row.hash;
      expectedSeq = row.seq + 1;
    }
    return { ok: true, rows, head: prevHash };
  }
}
