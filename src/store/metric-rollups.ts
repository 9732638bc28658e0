import type { Db, Statement } from './statements.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;

/** A rollup tier: a table of (series, bucket) → min, max, sum, count, last, kept incrementally. */
export interface RollupTier {
  table: 'samples_1m' | 'samples_1h';
  column: 'minute' | 'hour';
  width: number;
}

export const MINUTE_TIER: RollupTier = { table: 'samples_1m', column: 'minute', width: MINUTE_MS };
export const HOUR_TIER: RollupTier = { table: 'samples_1h', column: 'hour', width: HOUR_MS };

interface Rollup {
  sid: number;
  bucket: number;
  min: number;
  max: number;
  sum: number;
  count: number;
  last: number;
  lastTs: number;
}

/**
 * Folds the samples of one write into per-(series, bucket) rollups in memory, then upserts
 * each once: a batch costs one upsert per series-bucket, not one per sample.
 */
export class RollupBatch {
  readonly #rollups = new Map<number, Rollup>();
  readonly #tier: RollupTier;
  // Buckets since the epoch stay below 2^27 for minutes (until year 2225) and far below for hours.
  static readonly #SPAN = 134_217_728;

  constructor(tier: RollupTier) {
    this.#tier = tier;
  }

  add(sid: number, ts: number, value: number): void {
    const bucket = ts - (ts % this.#tier.width);
    const key = sid * RollupBatch.#SPAN + bucket / this.#tier.width;
    const r = this.#rollups.get(key);
    if (!r) {
      this.#rollups.set(key, {
        sid,
        bucket,
        min: value,
        max: value,
        sum: value,
        count: 1,
        last: value,
        lastTs: ts,
      });
      return;
    }
    if (value < r.min) r.min = value;
    if (value > r.max) r.max = value;
    r.sum += value;
    r.count++;
    if (ts >= r.lastTs) {
      r.last = value;
      r.lastTs = ts;
    }
  }

  flush(sql: (text: string) => Statement): void {
    const { table, column } = this.#tier;
    const upsert = sql(
      `INSERT INTO ${table} (series_id, ${column}, min, max, sum, count, last, last_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (series_id, ${column}) DO UPDATE SET
         min = min(${table}.min, excluded.min),
         max = max(${table}.max, excluded.max),
         sum = ${table}.sum + excluded.sum,
         count = ${table}.count + excluded.count,
         last = CASE WHEN excluded.last_ts >= ${table}.last_ts THEN excluded.last ELSE ${table}.last END,
         last_ts = max(${table}.last_ts, excluded.last_ts)`,
    );
    for (const r of this.#rollups.values())
      upsert.run(r.sid, r.bucket, r.min, r.max, r.sum, r.count, r.last, r.lastTs);
  }
}

/** Aggregates over a rollup tier, per bucket of the query's step. */
export const TIER_AGGS = {
  avg: 'sum(sum) / sum(count)',
  min: 'min(min)',
  max: 'max(max)',
  last: 'last, max(last_ts)',
} as const;

/** The same, for a step equal to the tier's width: one row per bucket, no grouping. */
export const TIER_AGGS_UNGROUPED = {
  avg: 'sum / count',
  min: 'min',
  max: 'max',
  last: 'last',
} as const;

export type { Db };
