import { randomBytes } from 'node:crypto';
import { type Clock, isoNow } from '../core/clock.js';
import { StewardError } from '../core/errors.js';
import { type Db, normalizeLimit, statementCache } from './statements.js';

export type StoredCheckState = 'up' | 'down' | 'degraded' | 'unknown';
export type StoredProbeStatus = 'up' | 'down' | 'degraded';
export type PingKind = 'success' | 'start' | 'fail';

/** What the configuration says about a check, as far as the store cares. */
export interface CheckSpec {
  name: string;
  type: string;
  service: string | null;
  /** Heartbeat checks get a ping token; a configured one replaces the generated one. */
  heartbeat: boolean;
  heartbeatToken?: string | null;
}

export interface CheckStreaks {
  up: number;
  down: number;
  bad: number;
  notDown: number;
}

export interface CheckRecord {
  name: string;
  type: string;
  service: string | null;
  state: StoredCheckState;
  stateSince: string;
  streaks: CheckStreaks;
  lastStatus: StoredProbeStatus | null;
  lastMessage: string | null;
  lastLatencyMs: number | null;
  lastCheckedAt: string | null;
  heartbeatToken: string | null;
  lastPingAt: string | null;
  lastPingKind: PingKind | null;
  lastStartAt: string | null;
  createdAt: string;
  removedAt: string | null;
}

/** One probe's outcome to persist; `change` when it moved the state. */
export interface CheckUpdate {
  name: string;
  streaks: CheckStreaks;
  status: StoredProbeStatus;
  message: string;
  latencyMs: number | null;
  at: string;
  change?: { from: StoredCheckState; to: StoredCheckState; reason: string };
}

export interface StateChange {
  id: number;
  check: string;
  at: string;
  from: StoredCheckState;
  to: StoredCheckState;
  reason: string;
}

interface CheckRow {
  name: string;
  type: string;
  service: string | null;
  state: StoredCheckState;
  state_since: string;
  up_streak: number;
  down_streak: number;
  bad_streak: number;
  not_down_streak: number;
  last_status: StoredProbeStatus | null;
  last_message: string | null;
  last_latency_ms: number | null;
  last_checked_at: string | null;
  heartbeat_token: string | null;
  last_ping_at: string | null;
  last_ping_kind: PingKind | null;
  last_start_at: string | null;
  created_at: string;
  removed_at: string | null;
}

interface ChangeRow {
  id: number;
  check_name: string;
  at: string;
  from_state: StoredCheckState;
  to_state: StoredCheckState;
  reason: string;
}

function toRecord(row: CheckRow): CheckRecord {
  return {
    name: row.name,
    type: row.type,
    service: row.service,
    state: row.state,
    stateSince: row.state_since,
    streaks: { up: row.up_streak, down: row.down_streak, bad: row.bad_streak, notDown: row.not_down_streak },
    lastStatus: row.last_status,
    lastMessage: row.last_message,
    lastLatencyMs: row.last_latency_ms,
    lastCheckedAt: row.last_checked_at,
    heartbeatToken: row.heartbeat_token,
    lastPingAt: row.last_ping_at,
    lastPingKind: row.last_ping_kind,
    lastStartAt: row.last_start_at,
    createdAt: row.created_at,
    removedAt: row.removed_at,
  };
}

/** A ping URL secret: 144 random bits, URL-safe. */
export function newHeartbeatToken(): string {
  return randomBytes(18).toString('base64url');
}

/** Checks with their current state and streaks, and every state change (never deleted). */
export class Checks {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #q: ReturnType<typeof statementCache>;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    this.#q = statementCache(db);
  }

  /**
   * Makes the table match the configuration. A check whose type changed starts again from
   * `unknown` (its old streaks mean nothing for the new probe); a removed one keeps its history.
   */
  sync(specs: readonly CheckSpec[]): { added: string[]; removed: string[] } {
    return this.#db
      .transaction(() => {
        const now = isoNow(this.#clock);
        const existing = new Map(
          (this.#q('SELECT * FROM checks').all() as CheckRow[]).map((row) => [row.name, row]),
        );
        const added: string[] = [];
        for (const spec of specs) {
          const row = existing.get(spec.name);
          const token = spec.heartbeat
            ? (spec.heartbeatToken ?? row?.heartbeat_token ?? newHeartbeatToken())
            : null;
          if (!row) {
            this.#q(
              `INSERT INTO checks (name, type, service, state_since, heartbeat_token, created_at)
               VALUES (?, ?, ?, ?, ?, ?)`,
            ).run(spec.name, spec.type, spec.service, now, token, now);
            added.push(spec.name);
            continue;
          }
          if (row.type !== spec.type) {
            this.#reset(row, spec.type, now);
          }
          this.#q('UPDATE checks SET service = ?, heartbeat_token = ?, removed_at = NULL WHERE name = ?').run(
            spec.service,
            token,
            spec.name,
          );
          if (row.removed_at !== null) added.push(spec.name);
        }
        const wanted = new Set(specs.map((s) => s.name));
        const removed: string[] = [];
        for (const row of existing.values()) {
          if (wanted.has(row.name) || row.removed_at !== null) continue;
          this.#q('UPDATE checks SET removed_at = ?, heartbeat_token = NULL WHERE name = ?').run(
            now,
            row.name,
          );
          removed.push(row.name);
        }
        return { added, removed };
      })
      .immediate();
  }

  #reset(row: CheckRow, type: string, now: string): void {
    this.#q(
      `UPDATE checks SET type = ?, state = 'unknown', state_since = ?, up_streak = 0, down_streak = 0,
         bad_streak = 0, not_down_streak = 0, last_status = NULL, last_message = NULL,
         last_latency_ms = NULL, last_checked_at = NULL WHERE name = ?`,
    ).run(type, now, row.name);
    if (row.state !== 'unknown') {
      this.#insertChange(
        row.name,
        now,
        row.state,
        'unknown',
        `check type changed from ${row.type} to ${type}`,
      );
    }
  }

  #insertChange(name: string, at: string, from: string, to: string, reason: string): void {
    this.#q(
      'INSERT INTO check_state_changes (check_name, at, from_state, to_state, reason) VALUES (?, ?, ?, ?, ?)',
    ).run(name, at, from, to, reason);
  }

  list(options: { includeRemoved?: boolean } = {}): CheckRecord[] {
    const sql = options.includeRemoved
      ? 'SELECT * FROM checks ORDER BY name'
      : 'SELECT * FROM checks WHERE removed_at IS NULL ORDER BY name';
    return (this.#q(sql).all() as CheckRow[]).map(toRecord);
  }

  get(name: string): CheckRecord | null {
    const row = this.#q('SELECT * FROM checks WHERE name = ?').get(name) as CheckRow | undefined;
    return row ? toRecord(row) : null;
  }

  /** The active check a ping token belongs to; null for any token that is not one. */
  byHeartbeatToken(token: string): CheckRecord | null {
    const row = this.#q('SELECT * FROM checks WHERE heartbeat_token = ? AND removed_at IS NULL').get(token) as
      | CheckRow
      | undefined;
    return row ? toRecord(row) : null;
  }

  /** Writes probe outcomes (and the state changes among them) in one transaction. */
  apply(updates: readonly CheckUpdate[]): void {
    if (updates.length === 0) return;
    const update = this.#q(
      `UPDATE checks SET up_streak = @up, down_streak = @down, bad_streak = @bad, not_down_streak = @notDown,
         last_status = @status, last_message = @message, last_latency_ms = @latencyMs, last_checked_at = @at
       WHERE name = @name`,
    );
    const setState = this.#q('UPDATE checks SET state = ?, state_since = ? WHERE name = ?');
    this.#db.transaction(() => {
      for (const u of updates) {
        update.run({
          ...u.streaks,
          name: u.name,
          status: u.status,
          message: u.message,
          latencyMs: u.latencyMs,
          at: u.at,
        });
        if (u.change) {
          setState.run(u.change.to, u.at, u.name);
          this.#insertChange(u.name, u.at, u.change.from, u.change.to, u.change.reason);
        }
      }
    })();
  }

  recordPing(name: string, kind: PingKind, at: string): void {
    const sql =
      kind === 'start'
        ? 'UPDATE checks SET last_start_at = @at, last_ping_kind = @kind WHERE name = @name'
        : 'UPDATE checks SET last_ping_at = @at, last_ping_kind = @kind WHERE name = @name';
    this.#q(sql).run({ name, kind, at });
  }

  /** State changes of one check, newest first. */
  history(name: string, options: { limit?: number; beforeId?: number } = {}): StateChange[] {
    const limit = normalizeLimit(options.limit, 100, 1000);
    const rows = this.#q(
      `SELECT * FROM check_state_changes WHERE check_name = ? AND id < ? ORDER BY id DESC LIMIT ?`,
    ).all(name, options.beforeId ?? Number.MAX_SAFE_INTEGER, limit) as ChangeRow[];
    return rows.map((r) => ({
      id: r.id,
      check: r.check_name,
      at: r.at,
      from: r.from_state,
      to: r.to_state,
      reason: r.reason,
    }));
  }

  /** State changes per check, for the exporter's counters after a restart. */
  changeCounts(): Map<string, number> {
    const rows = this.#q(
      'SELECT check_name, count(*) AS n FROM check_state_changes GROUP BY check_name',
    ).all() as {
      check_name: string;
      n: number;
    }[];
    return new Map(rows.map((r) => [r.check_name, r.n]));
  }

  requireActive(name: string): CheckRecord {
    const record = this.get(name);
    if (!record || record.removedAt !== null) {
      throw new StewardError('E_NOT_FOUND', `no check named ${name}`, {
        hint: 'steward checks list shows the configured checks',
      });
    }
    return record;
  }
}
