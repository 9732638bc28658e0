import type { MetricAgg } from './metric-samples.js';

export const MINUTE_MS = 60_000;

/** One (series, bucket) rollup folded from a batch before it is upserted. */
export interface Rollup {
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
 * Folds a batch's samples per (series, bucket) in JS, so a batch costs one upsert per
 * series-bucket, not one per sample.
 */
export class RollupFold {
  readonly rollups = new Map<number, Rollup>();
  /** Buckets since the epoch stay below 2^28 (minutes: until year 2480), so sid × 2^28 + bucket is exact. */
  private static readonly KEY_SPAN = 268_435_456;

  constructor(private readonly bucketMs: number) {}

  add(sid: number, ts: number, value: number): void {
    const bucket = ts - (ts % this.bucketMs);
    const key = sid * RollupFold.KEY_SPAN + bucket / this.bucketMs;
    const r = this.rollups.get(key);
    if (!r) {
      this.rollups.set(key, {
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
}

/** The upsert that merges a folded rollup into `table` (bucket column `column`). */
export function rollupUpsertSql(table: 'samples_1m' | 'samples_1h', column: 'minute' | 'hour'): string {
  return `INSERT INTO ${table} (series_id, ${column}, min, max, sum, count, last, last_ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (series_id, ${column}) DO UPDATE SET
      min = min(${table}.min, excluded.min),
      max = max(${table}.max, excluded.max),
      sum = ${table}.sum + excluded.sum,
      count = ${table}.count + excluded.count,
      last = CASE WHEN excluded.last_ts >= ${table}.last_ts THEN excluded.last ELSE ${table}.last END,
      last_ts = max(${table}.last_ts, excluded.last_ts)`;
}

/**
 * The two numbers per minute rollup an aggregation needs: avg (sum, count), min (min, 1),
 * max (max, 1), last (last, last_ts). A raw sample is the rollup of one sample: (value, 1) or
 * (value, ts) for last.
 */
export const MINUTE_COLUMNS: Record<MetricAgg, string> = {
  avg: 'sum AS a, count AS b',
  min: 'min AS a, 1 AS b',
  max: 'max AS a, 1 AS b',
  last: 'last AS a, last_ts AS b',
};

/** Rollups or samples as three parallel columns: time and the two numbers of MINUTE_COLUMNS. */
export interface Columns {
  t: number[];
  a: number[];
  b: number[];
}

/** Columns folded into epoch-aligned step buckets (sorted by time first if they are not). */
export function foldIntoSteps(columns: Columns, step: number, agg: MetricAgg): [number, number][] {
  const { t, a: as, b: bs } = inTimeOrder(columns);
  const points: [number, number][] = [];
  let bucket = Number.NaN;
  let a = 0;
  let b = 0;
  const flush = () => {
    if (!Number.isNaN(bucket)) points.push([bucket, agg === 'avg' ? a / b : a]);
  };
  for (let i = 0; i < t.length; i++) {
    const time = t[i] as number;
    const ra = as[i] as number;
    const rb = bs[i] as number;
    const start = time - (time % step);
    if (start !== bucket) {
      flush();
      bucket = start;
      a = ra;
      b = rb;
      continue;
    }
    if (agg === 'avg') {
      a += ra;
      b += rb;
    } else if (agg === 'min') {
      if (ra < a) a = ra;
    } else if (agg === 'max') {
      if (ra > a) a = ra;
    } else if (rb >= b) {
      a = ra;
      b = rb;
    }
  }
  flush();
  return points;
}

/** SQLite hands the rows over in index order; should it ever not, they are sorted here. */
function inTimeOrder(c: Columns): Columns {
  let ordered = true;
  for (let i = 1; i < c.t.length && ordered; i++) ordered = (c.t[i - 1] as number) <= (c.t[i] as number);
  if (ordered) return c;
  const order = c.t.map((_, i) => i).sort((x, y) => (c.t[x] as number) - (c.t[y] as number));
  return {
    t: order.map((i) => c.t[i] as number),
    a: order.map((i) => c.a[i] as number),
    b: order.map((i) => c.b[i] as number),
  };
}
