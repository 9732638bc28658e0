import { type Clock, isoNow } from '../core/clock.js';
import { StewardError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { defineLifecycle } from '../core/lifecycle.js';
import { type Db, normalizeLimit, statementCache } from './statements.js';

export const alertStates = ['triggered', 'acknowledged', 'resolved', 'closed'] as const;
export type AlertLifecycleState = (typeof alertStates)[number];

/** Seed 003's alert lifecycle; a resolved alert that fires again before it is closed reopens. */
export const alertLifecycle = defineLifecycle<AlertLifecycleState>({
  name: 'alert',
  initial: 'triggered',
  transitions: {
    triggered: ['acknowledged', 'resolved'],
    acknowledged: ['resolved'],
    resolved: ['triggered', 'closed'],
    closed: [],
  },
});

export interface AlertRecord {
  id: string;
  fingerprint: string;
  rule: string;
  labels: Record<string, string>;
  severity: 'critical' | 'warning' | 'info';
  summary: string;
  description: string;
  runbook: string | null;
  state: AlertLifecycleState;
  value: number | null;
  triggeredAt: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  ackComment: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  notifiedAt: string | null;
  lastNotifiedAt: string | null;
  escalationLevel: number;
  notifiedChannels: string[];
  updatedAt: string;
}

export interface AlertEvent {
  id: number;
  alertId: string;
  at: string;
  from: AlertLifecycleState | null;
  to: AlertLifecycleState;
  actor: string;
  comment: string | null;
}

export interface NewAlert {
  fingerprint: string;
  rule: string;
  labels: Record<string, string>;
  severity: AlertRecord['severity'];
  summary: string;
  description: string;
  runbook: string | null;
  value: number | null;
}

interface Row {
  id: string;
  fingerprint: string;
  rule: string;
  labels: string;
  severity: AlertRecord['severity'];
  summary: string;
  description: string;
  runbook: string | null;
  state: AlertLifecycleState;
  value: number | null;
  triggered_at: string;
  acknowledged_at: string | null;
  acknowledged_by: string | null;
  ack_comment: string | null;
  resolved_at: string | null;
  closed_at: string | null;
  notified_at: string | null;
  last_notified_at: string | null;
  escalation_level: number;
  notified_channels: string;
  updated_at: string;
}

function toRecord(r: Row): AlertRecord {
  return {
    id: r.id,
    fingerprint: r.fingerprint,
    rule: r.rule,
    labels: JSON.parse(r.labels) as Record<string, string>,
    severity: r.severity,
    summary: r.summary,
    description: r.description,
    runbook: r.runbook,
    state: r.state,
    value: r.value,
    triggeredAt: r.triggered_at,
    acknowledgedAt: r.acknowledged_at,
    acknowledgedBy: r.acknowledged_by,
    ackComment: r.ack_comment,
    resolvedAt: r.resolved_at,
    closedAt: r.closed_at,
    notifiedAt: r.notified_at,
    lastNotifiedAt: r.last_notified_at,
    escalationLevel: r.escalation_level,
    notifiedChannels: JSON.parse(r.notified_channels) as string[],
    updatedAt: r.updated_at,
  };
}

/** Alert instances and their transitions. Every transition is checked against the lifecycle. */
export class Alerts {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #q: ReturnType<typeof statementCache>;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    this.#q = statementCache(db);
  }

  /** The alert of this fingerprint that is not closed, if any. */
  open(fingerprint: string): AlertRecord | null {
    const row = this.#q(`SELECT * FROM alerts WHERE fingerprint = ? AND state != 'closed'`).get(
      fingerprint,
    ) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  get(id: string): AlertRecord | null {
    const row = this.#q('SELECT * FROM alerts WHERE id = ?').get(id) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  /** By full id or a unique prefix (as `steward alerts ack 01J8` takes it). */
  require(ref: string): AlertRecord {
    const rows = this.#q('SELECT * FROM alerts WHERE id LIKE ? ORDER BY id LIMIT 2').all(
      `${ref.replace(/[%_]/g, '')}%`,
    ) as Row[];
    if (rows.length === 1 && ref.length > 0) return toRecord(rows[0] as Row);
    throw new StewardError(
      rows.length ? 'E_USAGE' : 'E_NOT_FOUND',
      rows.length ? `alert id ${ref} is ambiguous` : `no alert ${ref}`,
      { hint: 'steward alerts list shows the ids' },
    );
  }

  list(options: { states?: readonly AlertLifecycleState[]; limit?: number } = {}): AlertRecord[] {
    const states = options.states?.length ? options.states : alertStates;
    const limit = normalizeLimit(options.limit, 100, 10_000);
    const rows = this.#q(
      `SELECT * FROM alerts WHERE state IN (SELECT value FROM json_each(?)) ORDER BY triggered_at DESC, id DESC LIMIT ?`,
    ).all(JSON.stringify(states), limit) as Row[];
    return rows.map(toRecord);
  }

  create(input: NewAlert, actor: string): AlertRecord {
    const now = isoNow(this.#clock);
    const id = newId();
    this.#db.transaction(() => {
      this.#q(
        `INSERT INTO alerts (id, fingerprint, rule, labels, severity, summary, description, runbook, state, value,
           triggered_at, updated_at)
         VALUES (@id, @fingerprint, @rule, @labels, @severity, @summary, @description, @runbook, 'triggered', @value, @now, @now)`,
      ).run({ ...input, id, labels: JSON.stringify(input.labels), now });
      this.#event(id, now, null, 'triggered', actor, null);
    })();
    return this.get(id) as AlertRecord;
  }

  /**
   * Moves an alert along its lifecycle, storing actor and comment. Reopening (resolved →
   * triggered) starts its notifications afresh; acknowledging records who.
   */
  transition(
    id: string,
    to: AlertLifecycleState,
    by: { actor: string; comment?: string | null; value?: number | null },
  ): AlertRecord {
    const now = isoNow(this.#clock);
    return this.#db
      .transaction(() => {
        const current = this.get(id);
        if (!current) throw new StewardError('E_NOT_FOUND', `no alert ${id}`);
        alertLifecycle.assertTransition(current.state, to);
        const sets: Record<AlertLifecycleState, string> = {
          triggered: `triggered_at = @now, acknowledged_at = NULL, acknowledged_by = NULL, ack_comment = NULL,
                      resolved_at = NULL, notified_at = NULL, last_notified_at = NULL, escalation_level = 0,
                      notified_channels = '[]', value = coalesce(@value, value)`,
          acknowledged: 'acknowledged_at = @now, acknowledged_by = @actor, ack_comment = @comment',
          resolved: 'resolved_at = @now',
          closed: 'closed_at = @now',
        };
        this.#q(`UPDATE alerts SET state = @to, updated_at = @now, ${sets[to]} WHERE id = @id`).run({
          id,
          to,
          now,
          actor: by.actor,
          comment: by.comment ?? null,
          value: by.value ?? null,
        });
        this.#event(id, now, current.state, to, by.actor, by.comment ?? null);
        return this.get(id) as AlertRecord;
      })
      .immediate();
  }

  setValue(id: string, value: number): void {
    this.#q('UPDATE alerts SET value = ? WHERE id = ?').run(value, id);
  }

  /** Records that notifications for this alert were queued to `channels`. */
  markNotified(id: string, channels: readonly string[], escalationLevel?: number): void {
    const now = isoNow(this.#clock);
    const current = this.get(id);
    if (!current) return;
    const all = [...new Set([...current.notifiedChannels, ...channels])];
    this.#q(
      `UPDATE alerts SET notified_at = coalesce(notified_at, @now), last_notified_at = @now,
         notified_channels = @channels, escalation_level = @level, updated_at = @now WHERE id = @id`,
    ).run({ id, now, channels: JSON.stringify(all), level: escalationLevel ?? current.escalationLevel });
  }

  events(id: string): AlertEvent[] {
    const rows = this.#q('SELECT * FROM alert_events WHERE alert_id = ? ORDER BY id').all(id) as {
      id: number;
      alert_id: string;
      at: string;
      from_state: AlertLifecycleState | null;
      to_state: AlertLifecycleState;
      actor: string;
      comment: string | null;
    }[];
    return rows.map((r) => ({
      id: r.id,
      alertId: r.alert_id,
      at: r.at,
      from: r.from_state,
      to: r.to_state,
      actor: r.actor,
      comment: r.comment,
    }));
  }

  #event(
    id: string,
    at: string,
    from: string | null,
    to: string,
    actor: string,
    comment: string | null,
  ): void {
    this.#q(
      'INSERT INTO alert_events (alert_id, at, from_state, to_state, actor, comment) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(id, at, from, to, actor, comment);
  }
}
