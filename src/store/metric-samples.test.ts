import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { openStore, type Store } from './db.js';
import { HOUR_MS, type MetricSample } from './metric-samples.js';

let store: Store;
const t0 = Date.parse('2026-02-01T00:00:00.000Z');

beforeEach(() => {
  store = openStore({ file: ':memory:', clock: new ManualClock('2026-02-01T00:00:00.000Z') });
});
afterEach(() => store.close());

function temps(device: string, from: number, count: number, every: number, value: (i: number) => number) {
  return Array.from(
    { length: count },
    (_, i): MetricSample => ({
      name: 'temp_celsius',
      labels: { device },
      value: value(i),
      ts: from + i * every,
    }),
  );
}

describe('metric samples', () => {
  it('stores a batch, ignores repeats of the same instant, and names one series per label set', () => {
    const batch = temps('a', t0, 10, 1000, (i) => i);
    expect(store.metrics.write(batch)).toEqual({ written: 10, duplicates: 0 });
    expect(store.metrics.write(batch.slice(0, 3))).toEqual({ written: 0, duplicates: 3 });
    store.metrics.write([{ name: 'temp_celsius', labels: { zone: 'x', device: 'a' }, value: 1, ts: t0 }]);
    store.metrics.write([{ name: 'temp_celsius', labels: { device: 'a', zone: 'x' }, value: 2, ts: t0 + 1 }]);
    const labelSets = store.metrics.listSeries('temp_celsius').map((s) => JSON.stringify(s.labels));
    expect(labelSets.sort()).toEqual(['{"device":"a","zone":"x"}', '{"device":"a"}']);
    expect(store.metrics.counts()).toEqual({ series: 2, samples: 12, rollups: 2, minuteRollups: 2 });
  });

  it('rejects a batch with one bad sample whole', () => {
    const batch = temps('a', t0, 3, 1000, (i) => i);
    batch.push({ name: 'temp_celsius', labels: { device: 'a' }, value: Number.NaN, ts: t0 + 5000 });
    expect(() => store.metrics.write(batch)).toThrow(/sample 3 .*finite/);
    expect(() => store.metrics.write([{ name: '1bad', labels: {}, value: 1, ts: t0 }])).toThrow(
      /invalid metric name/,
    );
    expect(() => store.metrics.write([{ name: 'ok', labels: { __x: 'y' }, value: 1, ts: t0 }])).toThrow(
      /label/,
    );
    expect(store.metrics.counts().samples).toBe(0);
  });

  it('keeps hourly rollups that match the raw samples they came from, across batches', () => {
    // 3 hours at one sample per minute, written in uneven batches and out of order.
    const all = temps('a', t0, 180, 60_000, (i) => Math.sin(i / 7) * 10 + 20);
    const shuffled = [...all].reverse();
    for (let i = 0; i < shuffled.length; i += 37) store.metrics.write(shuffled.slice(i, i + 37));
    const q = { name: 'temp_celsius', from: t0, to: t0 + 3 * HOUR_MS, step: HOUR_MS };
    for (const agg of ['avg', 'min', 'max', 'last'] as const) {
      const raw = store.metrics.range({ ...q, agg }, 'raw')[0]?.points ?? [];
      const hourly = store.metrics.range({ ...q, agg }, 'hourly')[0]?.points ?? [];
      expect(hourly.map((p) => p[0])).toEqual([t0, t0 + HOUR_MS, t0 + 2 * HOUR_MS]);
      expect(hourly.length).toBe(raw.length);
      for (const [i, p] of hourly.entries()) {
        expect(p[1], `${agg} hour ${i}`).toBeCloseTo(raw[i]?.[1] as number, 9);
      }
    }
    const firstHour = all.slice(0, 60).map((s) => s.value);
    const last = store.metrics.range({ ...q, agg: 'last' }, 'hourly')[0]?.points[0]?.[1];
    expect(last).toBe(firstHour[59]);
  });

  it('buckets raw samples by step and filters series by labels', () => {
    store.metrics.write([...temps('a', t0, 10, 1000, (i) => i), ...temps('b', t0, 10, 1000, () => 100)]);
    const [a, ...rest] = store.metrics.range(
      { name: 'temp_celsius', match: { device: 'a' }, from: t0, to: t0 + 10_000, step: 5000, agg: 'avg' },
      'raw',
    );
    expect(rest).toEqual([]);
    expect(a?.points).toEqual([
      [t0, 2],
      [t0 + 5000, 7],
    ]);
    const max = store.metrics.range(
      { name: 'temp_celsius', from: t0, to: t0 + 10_000, step: 10_000, agg: 'max' },
      'raw',
    );
    expect(max.map((s) => s.points)).toEqual([[[t0, 9]], [[t0, 100]]]);
    expect(
      store.metrics.range({ name: 'nothing', from: t0, to: t0 + 1, step: 1, agg: 'avg' }, 'raw'),
    ).toEqual([]);
  });

  it('prunes raw samples and rollups by their own cut-offs', () => {
    store.metrics.write(temps('a', t0, 48, HOUR_MS / 2, (i) => i)); // 24 hours, two per hour
    const cut = t0 + 12 * HOUR_MS;
    expect(store.metrics.prune({ raw: cut, minute: t0 + 18 * HOUR_MS, hourly: t0 + 6 * HOUR_MS })).toEqual({
      samples: 24,
      rollups: 6,
      minuteRollups: 36,
    });
    expect(store.metrics.counts().minuteRollups).toBe(12);
    expect(store.metrics.counts()).toMatchObject({ samples: 24, rollups: 18 });
    // The rollups of pruned raw hours remain and still say what the raw data said.
    const hourly = store.metrics.range(
      { name: 'temp_celsius', from: t0, to: cut, step: HOUR_MS, agg: 'avg' },
      'hourly',
    )[0]?.points;
    expect(hourly?.[0]).toEqual([t0 + 6 * HOUR_MS, 12.5]);
    expect(hourly).toHaveLength(6);
  });
});
