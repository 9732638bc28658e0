import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { mulberry32 } from '../core/seeded-random.js';
import { defaultMigrationsDir, openStore, type Store } from './db.js';
import { foldIntoSteps, MINUTE_MS } from './metric-rollups.js';
import { type MetricAgg, type MetricSample, metricAggs } from './metric-samples.js';
import { applyMigrations, rollbackMigrations } from './migrate.js';

let store: Store;
const t0 = Date.parse('2026-02-01T00:00:00.000Z');

beforeEach(() => {
  store = openStore({ file: ':memory:', clock: new ManualClock('2026-02-01T00:00:00.000Z') });
});
afterEach(() => store.close());

/** Irregular samples over `minutes` minutes: 0–6 per minute at random instants, some repeated. */
function irregular(seed: number, minutes: number): MetricSample[] {
  const random = mulberry32(seed);
  const out: MetricSample[] = [];
  for (let m = 0; m < minutes; m++) {
    const n = Math.floor(random() * 7);
    for (let k = 0; k < n; k++) {
      const ts = t0 + m * MINUTE_MS + Math.floor(random() * MINUTE_MS);
      out.push({ name: 'load', labels: { host: 'a' }, value: Math.round(random() * 2000 - 1000) / 10, ts });
    }
  }
  return out;
}

function points(from: number, to: number, step: number, agg: MetricAgg, source: 'raw' | 'minute') {
  return store.metrics.range({ name: 'load', from, to, step, agg }, source)[0]?.points ?? [];
}

function expectSame(minute: [number, number][], raw: [number, number][]): void {
  expect(minute.map((p) => p[0])).toEqual(raw.map((p) => p[0]));
  minute.forEach((p, i) => {
    expect(p[1]).toBeCloseTo(raw[i]?.[1] ?? Number.NaN, 9);
  });
}

describe('minute rollups', () => {
  it('give the same points as the raw samples, for every aggregation, step and unaligned range', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const samples = irregular(seed, 240);
      const order = mulberry32(seed + 100);
      const shuffled = samples
        .map((s) => ({ s, k: order() }))
        .sort((a, b) => a.k - b.k)
        .map((x) => x.s);
      // Uneven batches, out of order, with repeats (ignored, and not counted twice).
      for (let i = 0; i < shuffled.length; i += 53) store.metrics.write(shuffled.slice(i, i + 53));
      store.metrics.write(samples.slice(0, 40));
      const random = mulberry32(seed * 7919);
      for (let round = 0; round < 12; round++) {
        const from = t0 + Math.floor(random() * 100 * MINUTE_MS);
        const to = from + Math.floor(random() * 140 * MINUTE_MS) + 1;
        const step = [1, 2, 5, 15, 60][Math.floor(random() * 5)]! * MINUTE_MS;
        for (const agg of metricAggs)
          expectSame(points(from, to, step, agg, 'minute'), points(from, to, step, agg, 'raw'));
      }
      store.db.exec('DELETE FROM samples; DELETE FROM samples_1m; DELETE FROM samples_1h;');
    }
  });

  it('answer a range shorter than a minute, and one inside a single minute, from the raw samples', () => {
    store.metrics.write(irregular(9, 3));
    for (const [from, to] of [
      [t0 + 10_000, t0 + 50_000],
      [t0 + 30_000, t0 + 90_000],
    ] as const) {
      expectSame(points(from, to, MINUTE_MS, 'avg', 'minute'), points(from, to, MINUTE_MS, 'avg', 'raw'));
    }
  });

  it('are folded in time order even if handed over out of order', () => {
    const ordered = { t: [0, 30_000, 60_000, 90_000], a: [1, 5, 2, 8], b: [1, 1, 1, 1] };
    const shuffled = { t: [90_000, 0, 60_000, 30_000], a: [8, 1, 2, 5], b: [1, 1, 1, 1] };
    for (const agg of metricAggs) {
      expect(foldIntoSteps(shuffled, MINUTE_MS, agg)).toEqual(foldIntoSteps(ordered, MINUTE_MS, agg));
    }
    expect(foldIntoSteps(shuffled, MINUTE_MS, 'avg')).toEqual([
      [0, 3],
      [60_000, 5],
    ]);
  });

  it('refuse a step that is not whole minutes', () => {
    expect(() => points(t0, t0 + MINUTE_MS * 10, 90_000, 'avg', 'minute')).toThrow(/whole minutes/);
  });

  it('are built by the migration for samples stored before it', () => {
    store.metrics.write(irregular(11, 120));
    const dir = defaultMigrationsDir();
    rollbackMigrations(store.db, dir, 1);
    expect(() => store.db.prepare('SELECT 1 FROM samples_1m').get()).toThrow(/no such table/);
    applyMigrations(store.db, dir);
    for (const agg of metricAggs) {
      expectSame(
        points(t0, t0 + 120 * MINUTE_MS, 5 * MINUTE_MS, agg, 'minute'),
        points(t0, t0 + 120 * MINUTE_MS, 5 * MINUTE_MS, agg, 'raw'),
      );
    }
  });
});
