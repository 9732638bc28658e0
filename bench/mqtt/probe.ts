/**
 * How far Steward got: its /metrics counters, and the highest sequence stored in SQLite.
 *
 * A /metrics scrape costs the daemon about 3 ms of CPU (15 KB of text), so polling it every
 * 10 ms would take about a third of a core from the process being measured. The SQLite probe
 * costs the daemon nothing: `max(ts)` of the phase's series through the (series_id, ts) key, in
 * this process, on a read-only connection (WAL: it never blocks the daemon's writes). Messages
 * are committed in the order they were published, each at ts = base + k, so max(ts) − base + 1
 * is the number of messages stored, up to the first lost one.
 */
import Database from 'better-sqlite3';
import type { Daemon } from '../checks/live.js';
import { promValues } from '../checks/live.js';

export interface Counters {
  stored: number;
  duplicate: number;
  quarantined: number;
  lagSum: number;
  lagCount: number;
}

export async function counters(d: Daemon): Promise<Counters> {
  const res = await fetch(`${d.url}/metrics`);
  if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
  const text = await res.text();
  const m = promValues(text, 'steward_mqtt_messages_total');
  const one = (name: string) => promValues(text, name).get('') ?? Number.NaN;
  return {
    stored: m.get('{outcome="stored"}') ?? Number.NaN,
    duplicate: m.get('{outcome="duplicate"}') ?? Number.NaN,
    quarantined: m.get('{outcome="quarantined"}') ?? Number.NaN,
    lagSum: one('steward_mqtt_ingest_lag_seconds_sum'),
    lagCount: one('steward_mqtt_ingest_lag_seconds_count'),
  };
}

const SERIES = `SELECT id FROM series WHERE name = 'bench_value' AND json_extract(labels, '$.dev') = ?`;

export class SqliteProbe {
  readonly #db: Database.Database;
  readonly #max: Database.Statement;
  readonly #count: Database.Statement;

  constructor(
    dbFile: string,
    private readonly dev: string,
    private readonly base: number,
    private readonly n: number,
  ) {
    this.#db = new Database(dbFile, { readonly: true, fileMustExist: true });
    this.#max = this.#db.prepare(
      `SELECT max(ts) AS m FROM samples WHERE series_id IN (${SERIES}) AND ts < ?`,
    );
    this.#count = this.#db.prepare(
      `SELECT count(*) AS n FROM samples WHERE series_id IN (${SERIES}) AND ts BETWEEN ? AND ?`,
    );
  }

  /** Messages stored so far: the highest sequence stored + 1. */
  stored(): number {
    const { m } = this.#max.get(this.dev, this.base + this.n) as { m: number | null };
    return m === null ? 0 : m - this.base + 1;
  }

  /** Rows of the phase (every message is one row with its own ts). */
  rows(): number {
    return (this.#count.get(this.dev, this.base, this.base + this.n - 1) as { n: number }).n;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
