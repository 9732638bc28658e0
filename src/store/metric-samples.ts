import type { Clock } from '../core/clock.js';
import { StewardError } from '../core/errors.js';
import {
  type Columns,
  foldIntoSteps,
  MINUTE_COLUMNS,
  MINUTE_MS,
  RollupFold,
  rollupUpsertSql,
} from './metric-rollups.js';
import { type Db, statementCache } from './statements.js';

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** ms since the Unix epoch */
  ts: number;
}

export type MetricAgg = 'avg' | 'min' | 'max' | 'last';
/** Where a range query reads from: raw samples, minute rollups or hourly rollups. */
export type MetricSource = 'raw' | 'minute' | 'hourly';
export const metricAggs = ['avg', 'min', 'max', 'last'] as const;

export interface SeriesInfo {
  id: number;
  name: string;
  labels: Record<string, string>;
}

export interface SeriesPoints extends SeriesInfo {
  /** [bucket start in ms, value], oldest first; buckets without samples are absent. */
  points: [number, number][];
}

export interface RangeQuery {
  name: string;
  /** Series whose labels include every one of these pairs. */
  match?: Record<string, string>;
  from: number;
  to: number;
  step: number;
  agg: MetricAgg;
}

export const HOUR_MS = 3_600_000;
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The labels as stored: a JSON object with sorted keys, so equal label sets give equal text. */
export function canonicalLabels(labels: Record<string, string>): string {
  const sorted: Record<string, string> = {};
  for (const key of Object.keys(labels).sort()) sorted[key] = labels[key] as string;
  return JSON.stringify(sorted);
}

function assertSample(s: MetricSample, index: number, checkedNames: Set<string>): void {
  const where = `sample ${index} (${s.name})`;
  if (!checkedNames.has(s.name)) {
    if (!NAME.test(s.name)) throw new StewardError('E_USAGE', `${where}: invalid metric name`);
    checkedNames.add(s.name);
  }
  for (const key in s.labels) {
    if (!LABEL.test(key) || key.startsWith('__')) {
      throw new StewardError('E_USAGE', `${where}: invalid label name ${JSON.stringify(key)}`);
    }
  }
  if (!Number.isFinite(s.value)) throw new StewardError('E_USAGE', `${where}: value must be a finite number`);
  if (!Number.isSafeInteger(s.ts) || s.ts < 0)
    throw new StewardError('E_USAGE', `${where}: invalid timestamp`);
}

const AGG_RAW: Record<MetricAgg, string> = {
  avg: 'avg(value)',
  min: 'min(value)',
  max: 'max(value)',
  // SQLite takes the bare column from the row that holds max(ts).
  last: 'value, max(ts)',
};
const AGG_HOURLY: Record<MetricAgg, string> = {
  avg: 'sum(sum) / sum(count)',
  min: 'min(min)',
  max: 'max(max)',
  last: 'last, max(last_ts)',
};

/**
 * Samples and their minute and hourly rollups. Writes go in one transaction per batch; the
 * rollups are folded in JS per (series, bucket) first, so a batch costs one upsert per
 * series-bucket, not one per sample. A sample already stored for the same series and instant
 * is ignored (and not counted twice in the rollups).
 */
export class MetricSamples {
  private readonly sql: ReturnType<typeof statementCache>;
  private readonly ids = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.sql = statementCache(db);
  }

  /** The series id for name + labels, created on first use. */
  seriesId(name: string, labels: Record<string, string>): number {
    // The labels as written (insertion order) find a known series without sorting; a miss
    // falls back to the canonical form, so another order of the same labels finds it too.
    let fastKey = name;
    for (const key in labels) fastKey += `\u0000${key}\u0001${labels[key]}`;
    const fast = this.ids.get(fastKey);
    if (fast !== undefined) return fast;
    const text = canonicalLabels(labels);
    const key = `${name}\u0000${text}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      this.sql('INSERT OR IGNORE INTO series (name, labels, created_at) VALUES (?, ?, ?)').run(
        name,
        text,
        this.clock.now().toISOString(),
      );
      const row = this.sql('SELECT id FROM series WHERE name = ? AND labels = ?').get(name, text) as {
        id: number;
      };
      id = row.id;
      this.ids.set(key, id);
    }
    this.ids.set(fastKey, id);
    return id;
  }

  /** Validates every sample first: a batch is stored whole or not at all. */
  write(samples: readonly MetricSample[]): { written: number; duplicates: number } {
    const checkedNames = new Set<string>();
    samples.forEach((sample, i) => {
      assertSample(sample, i, checkedNames);
    });
    const insert = this.sql('INSERT OR IGNORE INTO samples (series_id, ts, value) VALUES (?, ?, ?)');
    const upsertHourly = this.sql(rollupUpsertSql('samples_1h', 'hour'));
    const upsertMinute = this.sql(rollupUpsertSql('samples_1m', 'minute'));
    return this.db.transaction(() => {
      const hours = new RollupFold(HOUR_MS);
      const minutes = new RollupFold(MINUTE_MS);
      let written = 0;
      for (const s of samples) {
        const sid = this.seriesId(s.name, s.labels);
        if (insert.run(sid, s.ts, s.value).changes !== 1) continue;
        written++;
        hours.add(sid, s.ts, s.value);
        minutes.add(sid, s.ts, s.value);
      }
      for (const [fold, upsert] of [
        [hours, upsertHourly],
        [minutes, upsertMinute],
      ] as const) {
        for (const r of fold.rollups.values())
          upsert.run(r.sid, r.bucket, r.min, r.max, r.sum, r.count, r.last, r.lastTs);
      }
      return { written, duplicates: samples.length - written };
    })();
  }

  listSeries(name?: string): SeriesInfo[] {
    const rows = (
      name === undefined
        ? this.sql('SELECT id, name, labels FROM series ORDER BY name, labels').all()
        : this.sql('SELECT id, name, labels FROM series WHERE name = ? ORDER BY labels').all(name)
    ) as { id: number; name: string; labels: string }[];
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      labels: JSON.parse(r.labels) as Record<string, string>,
    }));
  }

  /**
   * Bucketed points from raw samples, the minute rollups or the hourly ones; buckets align to
   * the epoch. `%` makes SQLite compute in integers (bound JS numbers arrive as REAL).
   */
  range(q: RangeQuery, source: MetricSource): SeriesPoints[] {
    if (!(Number.isSafeInteger(q.step) && q.step > 0))
      throw new StewardError('E_USAGE', 'step must be positive');
    if (source === 'minute' && q.step % MINUTE_MS !== 0)
      throw new StewardError('E_USAGE', 'minute rollups need a step of whole minutes');
    const matching = this.listSeries(q.name).filter((s) =>
      Object.entries(q.match ?? {}).every(([k, v]) => s.labels[k] === v),
    );
    return matching.map((s) => ({ ...s, points: this.points(s.id, q, source) }));
  }

  private points(sid: number, q: RangeQuery, source: MetricSource): [number, number][] {
    if (source === 'minute') return this.minutePoints(sid, q);
    const stmt =
      source === 'hourly'
        ? this.sql(
            `SELECT hour - hour % @step AS t, ${AGG_HOURLY[q.agg]} AS v FROM samples_1h
             WHERE series_id = @sid AND hour >= @from AND hour < @to GROUP BY t ORDER BY t`,
          )
        : this.sql(
            `SELECT ts - ts % @step AS t, ${AGG_RAW[q.agg]} AS v FROM samples
             WHERE series_id = @sid AND ts >= @from AND ts < @to GROUP BY t ORDER BY t`,
          );
    // An hourly bucket is counted whole when the range starts inside it.
    const from = source === 'hourly' ? q.from - (q.from % HOUR_MS) : q.from;
    const rows = stmt.raw().all({ step: q.step, sid, from, to: q.to }) as unknown[][];
    // `last` selects max(ts) as a third column; only bucket and value are returned.
    return rows.map((r) => [r[0] as number, r[1] as number]);
  }

  /**
   * The same points as from raw samples, read from the minute rollups: whole minutes inside the
   * range come from samples_1m, the partial minutes at its edges from the raw samples, and JS
   * folds them into steps in one ordered pass (no sort, unlike GROUP BY over raw rows).
   */
  private minutePoints(sid: number, q: RangeQuery): [number, number][] {
    const firstWhole = Math.ceil(q.from / MINUTE_MS) * MINUTE_MS;
    const endWhole = Math.floor(q.to / MINUTE_MS) * MINUTE_MS;
    if (endWhole <= firstWhole) return this.points(sid, q, 'raw');
    const second = q.agg === 'last' ? 'ts' : '1';
    const raw = this.sql(
      `SELECT ts, value, ${second} FROM samples WHERE series_id = ? AND ts >= ? AND ts < ? ORDER BY ts`,
    ).raw();
    // Three JSON arrays instead of 43,200 rows: better-sqlite3 costs ~1 µs per row it hands over,
    // and flat number arrays parse fast. The inner ORDER BY follows the primary key (no sort).
    const minutes = this.sql(
      `SELECT json_group_array(minute), json_group_array(a), json_group_array(b) FROM (
         SELECT minute, ${MINUTE_COLUMNS[q.agg]} FROM samples_1m
         WHERE series_id = ? AND minute >= ? AND minute < ? ORDER BY minute)`,
    ).raw();
    const asColumns = (rows: unknown[][]): Columns => ({
      t: rows.map((r) => r[0] as number),
      a: rows.map((r) => r[1] as number),
      b: rows.map((r) => r[2] as number),
    });
    const left = asColumns(raw.all(sid, q.from, firstWhole) as unknown[][]);
    const [t = [], a = [], b = []] = (minutes.get(sid, firstWhole, endWhole) as string[]).map(
      (text) => JSON.parse(text) as number[],
    );
    const right = asColumns(raw.all(sid, endWhole, q.to) as unknown[][]);
    const columns: Columns = {
      t: left.t.concat(t, right.t),
      a: left.a.concat(a, right.a),
      b: left.b.concat(b, right.b),
    };
    return foldIntoSteps(columns, q.step, q.agg);
  }

  /** Deletes raw samples, minute rollups and hourly rollups older than their cut-offs (ms). */
  prune(cutoffs: { raw: number; minute: number; hourly: number }): {
    samples: number;
    rollups: number;
    minuteRollups: number;
  } {
    const ids = (this.sql('SELECT id FROM series').all() as { id: number }[]).map((r) => r.id);
    const delRaw = this.sql('DELETE FROM samples WHERE series_id = ? AND ts < ?');
    const delHourly = this.sql('DELETE FROM samples_1h WHERE series_id = ? AND hour < ?');
    const delMinute = this.sql('DELETE FROM samples_1m WHERE series_id = ? AND minute < ?');
    let samples = 0;
    let rollups = 0;
    let minuteRollups = 0;
    // One short transaction per series: the daemon's writers are never held up for long.
    for (const id of ids) {
      this.db.transaction(() => {
        samples += delRaw.run(id, cutoffs.raw).changes;
        rollups += delHourly.run(id, cutoffs.hourly).changes;
        minuteRollups += delMinute.run(id, cutoffs.minute).changes;
      })();
    }
    return { samples, rollups, minuteRollups };
  }

  counts(): { series: number; samples: number; rollups: number; minuteRollups: number } {
    const one = (sql: string) => (this.sql(sql).get() as { n: number }).n;
    return {
      series: one('SELECT count(*) AS n FROM series'),
      samples: one('SELECT count(*) AS n FROM samples'),
      rollups: one('SELECT count(*) AS n FROM samples_1h'),
      minuteRollups: one('SELECT count(*) AS n FROM samples_1m'),
    };
  }

  /** When a sample of this series with exactly `value` was stored at or after `fromMs`, or null (the MQTT self-test waits on it). */
  findSample(name: string, labels: Record<string, string>, fromMs: number, value: number): number | null {
    const row = this.sql(
      'SELECT s.ts FROM samples s JOIN series r ON r.id = s.series_id WHERE r.name = ? AND r.labels = ? AND s.ts >= ? AND s.value = ? LIMIT 1',
    ).get(name, canonicalLabels(labels), fromMs, value) as { ts: number } | undefined;
    return row ? row.ts : null;
  }
}
