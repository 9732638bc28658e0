import type { Clock } from '../core/clock.js';
import { StewardError } from '../core/errors.js';
import {
  HOUR_TIER,
  MINUTE_TIER,
  RollupBatch,
  type RollupTier,
  TIER_AGGS,
  TIER_AGGS_UNGROUPED,
} from './metric-rollups.js';
import { type Db, statementCache } from './statements.js';

export { HOUR_MS, MINUTE_MS } from './metric-rollups.js';

/** Where a range is read from: raw samples, or the minute or hour rollups. */
export type MetricTier = 'raw' | 'minute' | 'hourly';

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** ms since the Unix epoch */
  ts: number;
}

export type MetricAgg = 'avg' | 'min' | 'max' | 'last';
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

/**
 * Samples and their hourly rollups. Writes go in one transaction per batch; the rollups are
 * folded in JS per (series, hour) first, so a batch costs one upsert per series-hour, not one
 * per sample. A sample already stored for the same series and instant is ignored (and not
 * counted twice in the rollup).
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
    return this.db.transaction(() => {
      const hours = new RollupBatch(HOUR_TIER);
      const minutes = new RollupBatch(MINUTE_TIER);
      let written = 0;
      for (const s of samples) {
        const sid = this.seriesId(s.name, s.labels);
        if (insert.run(sid, s.ts, s.value).changes !== 1) continue;
        written++;
        hours.add(sid, s.ts, s.value);
        minutes.add(sid, s.ts, s.value);
      }
      hours.flush(this.sql);
      minutes.flush(this.sql);
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
   * Bucketed points from raw samples or a rollup tier; buckets align to the epoch. `%` makes
   * SQLite compute in integers (bound JS numbers arrive as REAL). A step equal to the tier's
   * width reads rows in key order with no grouping at all.
   */
  range(q: RangeQuery, tier: MetricTier): SeriesPoints[] {
    if (!(Number.isSafeInteger(q.step) && q.step > 0))
      throw new StewardError('E_USAGE', 'step must be positive');
    const matching = this.listSeries(q.name).filter((s) =>
      Object.entries(q.match ?? {}).every(([k, v]) => s.labels[k] === v),
    );
    const rollup: RollupTier | null = tier === 'raw' ? null : tier === 'minute' ? MINUTE_TIER : HOUR_TIER;
    let stmt: ReturnType<typeof this.sql>;
    if (!rollup) {
      stmt = this.sql(
        `SELECT ts - ts % @step AS t, ${AGG_RAW[q.agg]} AS v FROM samples
         WHERE series_id = @sid AND ts >= @from AND ts < @to GROUP BY t ORDER BY t`,
      );
    } else if (q.step === rollup.width) {
      stmt = this.sql(
        `SELECT ${rollup.column} AS t, ${TIER_AGGS_UNGROUPED[q.agg]} AS v FROM ${rollup.table}
         WHERE series_id = @sid AND ${rollup.column} >= @from AND ${rollup.column} < @to AND @step > 0 ORDER BY ${rollup.column}`,
      );
    } else {
      stmt = this.sql(
        `SELECT ${rollup.column} - ${rollup.column} % @step AS t, ${TIER_AGGS[q.agg]} AS v FROM ${rollup.table}
         WHERE series_id = @sid AND ${rollup.column} >= @from AND ${rollup.column} < @to GROUP BY t ORDER BY t`,
      );
    }
    // A rollup bucket is counted whole when the range starts inside it.
    const from = rollup ? q.from - (q.from % rollup.width) : q.from;
    return matching.map((s) => {
      const rows = stmt.raw().all({ step: q.step, sid: s.id, from, to: q.to }) as [number, number][];
      // `last` over groups selects max(ts) as a third column: only bucket and value are returned.
      const points = rows[0] && rows[0].length > 2 ? rows.map((r) => [r[0], r[1]] as [number, number]) : rows;
      return { ...s, points };
    });
  }

  /** Deletes raw samples, minute and hour rollups older than their cut-offs (ms). */
  prune(cutoffs: { raw: number; minute: number; hourly: number }): { samples: number; rollups: number } {
    const ids = (this.sql('SELECT id FROM series').all() as { id: number }[]).map((r) => r.id);
    const delRaw = this.sql('DELETE FROM samples WHERE series_id = ? AND ts < ?');
    const delMinute = this.sql('DELETE FROM samples_1m WHERE series_id = ? AND minute < ?');
    const delHourly = this.sql('DELETE FROM samples_1h WHERE series_id = ? AND hour < ?');
    let samples = 0;
    let rollups = 0;
    // One short transaction per series: the daemon's writers are never held up for long.
    for (const id of ids) {
      this.db.transaction(() => {
        samples += delRaw.run(id, cutoffs.raw).changes;
        delMinute.run(id, cutoffs.minute);
        rollups += delHourly.run(id, cutoffs.hourly).changes;
      })();
    }
    return { samples, rollups };
  }

  counts(): { series: number; samples: number; rollups: number } {
    const one = (sql: string) => (this.sql(sql).get() as { n: number }).n;
    return {
      series: one('SELECT count(*) AS n FROM series'),
      samples: one('SELECT count(*) AS n FROM samples'),
      rollups: one('SELECT count(*) AS n FROM samples_1h'),
    };
  }
}
