import { type Clock, isoNow } from '../core/clock.js';
import { newId } from '../core/ids.js';
import { type Db, statementCache } from './statements.js';

export type DeliveryState = 'pending' | 'sent' | 'gave_up';

export interface DeliveryRecord {
  id: string;
  notificationId: string;
  kind: string;
  channel: string;
  alertIds: string[];
  payload: unknown;
  state: DeliveryState;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  sentAt: string | null;
}

interface Row {
  id: string;
  notification_id: string;
  kind: string;
  channel: string;
  alert_ids: string;
  payload: string;
  state: DeliveryState;
  attempts: number;
  last_error: string | null;
  next_attempt_at: string | null;
  created_at: string;
  sent_at: string | null;
}

const toRecord = (r: Row): DeliveryRecord => ({
  id: r.id,
  notificationId: r.notification_id,
  kind: r.kind,
  channel: r.channel,
  alertIds: JSON.parse(r.alert_ids) as string[],
  payload: JSON.parse(r.payload) as unknown,
  state: r.state,
  attempts: r.attempts,
  lastError: r.last_error,
  nextAttemptAt: r.next_attempt_at,
  createdAt: r.created_at,
  sentAt: r.sent_at,
});

/** One row per notification per channel: queued, retried with backoff, sent once or given up. */
export class Deliveries {
  readonly #db: Db;
  readonly #q: ReturnType<typeof statementCache>;
  readonly #clock: Clock;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#q = statementCache(db);
    this.#clock = clock;
  }

  /** Queues a notification to each channel, in one transaction with `alsoDo` (marking alerts notified). */
  enqueue(
    input: {
      notificationId: string;
      kind: string;
      alertIds: string[];
      payload: unknown;
      channels: readonly string[];
    },
    alsoDo: () => void = () => {},
  ): DeliveryRecord[] {
    const now = isoNow(this.#clock);
    const ids: string[] = [];
    this.#db.transaction(() => {
      for (const channel of input.channels) {
        const id = newId();
        ids.push(id);
        this.#q(
          `INSERT INTO deliveries (id, notification_id, kind, channel, alert_ids, payload, state, next_attempt_at, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
        ).run(
          id,
          input.notificationId,
          input.kind,
          channel,
          JSON.stringify(input.alertIds),
          JSON.stringify(input.payload),
          now,
          now,
          now,
        );
      }
      alsoDo();
    })();
    return ids.map((id) => this.get(id) as DeliveryRecord);
  }

  get(id: string): DeliveryRecord | null {
    const row = this.#q('SELECT * FROM deliveries WHERE id = ?').get(id) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  pending(): DeliveryRecord[] {
    return (
      this.#q(`SELECT * FROM deliveries WHERE state = 'pending' ORDER BY next_attempt_at, id`).all() as Row[]
    ).map(toRecord);
  }

  markSent(id: string): void {
    const now = isoNow(this.#clock);
    this.#q(
      `UPDATE deliveries SET state = 'sent', attempts = attempts + 1, sent_at = ?, last_error = NULL,
         next_attempt_at = NULL, updated_at = ? WHERE id = ? AND state = 'pending'`,
    ).run(now, now, id);
  }

  markFailed(id: string, error: string, nextAttemptAt: string | null): void {
    const now = isoNow(this.#clock);
    this.#q(
      `UPDATE deliveries SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?,
         state = CASE WHEN ? IS NULL THEN 'gave_up' ELSE 'pending' END, updated_at = ? WHERE id = ? AND state = 'pending'`,
    ).run(error, nextAttemptAt, nextAttemptAt, now, id);
  }

  forAlert(alertId: string): DeliveryRecord[] {
    return (
      this.#q(
        `SELECT * FROM deliveries WHERE id IN (SELECT d.id FROM deliveries d, json_each(d.alert_ids) j WHERE j.value = ?)
         ORDER BY created_at, id`,
      ).all(alertId) as Row[]
    ).map(toRecord);
  }

  /** The newest deliveries to one channel, newest first (channel health). */
  recent(channel: string, limit = 10): DeliveryRecord[] {
    return (
      this.#q('SELECT * FROM deliveries WHERE channel = ? ORDER BY created_at DESC, id DESC LIMIT ?').all(
        channel,
        limit,
      ) as Row[]
    ).map(toRecord);
  }
}
