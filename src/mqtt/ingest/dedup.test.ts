import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { openStore, type Store } from '../../store/db.js';
import { MqttSequences } from '../../store/mqtt-quarantine.js';
import { SequenceTracker } from './dedup.js';

/** The sequences of `seqs` the tracker lets through. */
function accepted(t: SequenceTracker, device: string, seqs: number[]): number[] {
  return seqs.filter((s) => !t.seen(device, s));
}

describe('SequenceTracker', () => {
  it('drops a repeated sequence and keeps new ones, per device', () => {
    const t = new SequenceTracker();
    expect(accepted(t, 'a', [1, 2, 2, 3, 1, 3, 4])).toEqual([1, 2, 3, 4]);
    expect(accepted(t, 'b', [1, 2])).toEqual([1, 2]);
  });

  it('accepts a late message within the window once (out of order after a reconnect)', () => {
    const t = new SequenceTracker();
    expect(accepted(t, 'a', [10, 13, 14, 11, 12, 11, 12, 15, 13])).toEqual([10, 13, 14, 11, 12, 15]);
    expect(t.get('a')).toEqual({ device: 'a', lastSeq: 15, recent: [10, 11, 12, 13, 14, 15] });
  });

  it('takes a sequence far below the high-water mark as a counter restart', () => {
    const t = new SequenceTracker({ window: 1000 });
    accepted(t, 'a', [4998, 4999, 5000]);
    expect(accepted(t, 'a', [1, 2, 1, 3])).toEqual([1, 2, 3]);
    expect(t.get('a')).toEqual({ device: 'a', lastSeq: 3, recent: [1, 2, 3] });
    // Exactly at the window edge: 5000 - 4001 = 999 < 1000, still a possible redelivery.
    const u = new SequenceTracker({ window: 1000 });
    accepted(u, 'a', [4001, 5000]);
    expect(u.seen('a', 4001)).toBe(true);
    expect(u.seen('a', 4000)).toBe(false);
  });

  it('takes a long ascending run of "duplicates" as a restart inside the window', () => {
    const t = new SequenceTracker({ restartRun: 4 });
    accepted(t, 'a', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // The device rebooted and counts from 0 again: 0..2 look like redeliveries, 3 makes the run.
    expect(accepted(t, 'a', [0, 1, 2, 3, 4, 5, 6])).toEqual([3, 4, 5, 6]);
    expect(t.get('a')?.lastSeq).toBe(6);
  });

  it('keeps dropping a broker redelivery burst (shorter than the restart run, or not ascending)', () => {
    const t = new SequenceTracker();
    const first = Array.from({ length: 100 }, (_, i) => i);
    expect(accepted(t, 'a', first)).toEqual(first);
    // Mosquitto keeps up to 20 messages in flight; all come again after a reconnect.
    const burst = Array.from({ length: 20 }, (_, i) => 80 + i);
    expect(accepted(t, 'a', burst)).toEqual([]);
    const shuffled = Array.from({ length: 60 }, (_, i) => 99 - ((i * 7) % 60));
    expect(accepted(t, 'a', shuffled)).toEqual([]);
    expect(accepted(t, 'a', [100])).toEqual([100]);
  });

  it('never treats an untrackable sequence as a duplicate', () => {
    const t = new SequenceTracker();
    for (const seq of [-1, 1.5, Number.NaN, 2 ** 60]) {
      expect(t.seen('a', seq)).toBe(false);
      expect(t.seen('a', seq)).toBe(false);
    }
    expect(t.size).toBe(0);
  });

  it('remembers only the window below the high-water mark, capped at maxRecent', () => {
    const t = new SequenceTracker({ window: 1000 });
    for (let s = 0; s < 10_000; s++) t.seen('a', s);
    // What is persisted is exactly the window, though below-window sequences are dropped in chunks.
    expect(t.dirty()[0]?.recent[0]).toBe(9000);
    const recent = t.get('a')?.recent ?? [];
    expect(recent).toHaveLength(1000);
    expect(recent[0]).toBe(9000);
    const capped = new SequenceTracker({ window: 1000, maxRecent: 50 });
    for (let s = 0; s < 500; s++) capped.seen('a', s);
    expect(capped.get('a')?.recent).toHaveLength(50);
  });

  it('forgets the least recently updated device beyond maxDevices', () => {
    const t = new SequenceTracker({ maxDevices: 2 });
    t.seen('a', 1);
    t.seen('b', 1);
    t.seen('a', 2);
    t.seen('c', 1);
    expect([t.get('a')?.lastSeq, t.get('b'), t.get('c')?.lastSeq]).toEqual([2, undefined, 1]);
  });

  it('reports the devices changed since the last call; duplicates change nothing', () => {
    const t = new SequenceTracker();
    t.seen('a', 1);
    t.seen('b', 5);
    expect(t.dirty()).toEqual([
      { device: 'a', lastSeq: 1, recent: [1] },
      { device: 'b', lastSeq: 5, recent: [5] },
    ]);
    expect(t.dirty()).toEqual([]);
    t.seen('a', 1);
    expect(t.dirty()).toEqual([]);
    t.seen('a', 2);
    expect(t.dirty()).toEqual([{ device: 'a', lastSeq: 2, recent: [1, 2] }]);
  });

  it('load replaces all state and repairs odd rows', () => {
    const t = new SequenceTracker({ window: 10 });
    t.seen('old', 1);
    t.load([
      { device: 'a', lastSeq: 100, recent: [99, 100, 50, 99, 101, 1.5] as number[] },
      { device: 'bad', lastSeq: -1, recent: [] },
      { device: 'worse', lastSeq: 3, recent: 'nope' as unknown as number[] },
    ]);
    expect(t.get('old')).toBeUndefined();
    expect(t.get('a')).toEqual({ device: 'a', lastSeq: 100, recent: [99, 100] });
    expect(t.get('bad')).toBeUndefined();
    expect(t.get('worse')).toEqual({ device: 'worse', lastSeq: 3, recent: [] });
    expect(t.dirty()).toEqual([]);
    expect(t.seen('a', 99)).toBe(true);
    expect(t.seen('a', 98)).toBe(false);
  });

  it('rejects bad options', () => {
    expect(() => new SequenceTracker({ window: 0 })).toThrow(/window must be a positive integer/);
    expect(() => new SequenceTracker({ maxDevices: 1.5 })).toThrow(/maxDevices/);
  });
});

describe('sequence state in the store', () => {
  let store: Store;
  let clock: ManualClock;
  let sequences: MqttSequences;

  beforeEach(() => {
    clock = new ManualClock('2026-03-01T00:00:00.000Z');
    store = openStore({ file: ':memory:', clock });
    sequences = new MqttSequences(store.db, clock);
  });
  afterEach(() => store.close());

  it('survives a restart: state saved with the samples is loaded by a new tracker', () => {
    const before = new SequenceTracker();
    accepted(before, 'nodes/esp1/telemetry', [1, 2, 3, 7]);
    accepted(before, 'nodes/esp2/telemetry', [40]);
    store.db.transaction(() => {
      store.metrics.write([{ name: 'node_temp', labels: { node: 'esp1' }, value: 1, ts: 1 }]);
      sequences.save(before.dirty());
    })();
    clock.advance(1000);
    before.seen('nodes/esp1/telemetry', 8);
    sequences.save(before.dirty());

    const after = new SequenceTracker();
    after.load(sequences.all());
    expect(after.seen('nodes/esp1/telemetry', 7)).toBe(true);
    expect(after.seen('nodes/esp1/telemetry', 8)).toBe(true);
    expect(after.seen('nodes/esp1/telemetry', 5)).toBe(false);
    expect(after.seen('nodes/esp2/telemetry', 40)).toBe(true);
    expect(sequences.all()).toEqual([
      { device: 'nodes/esp2/telemetry', lastSeq: 40, recent: [40], updatedAt: '2026-03-01T00:00:00.000Z' },
      {
        device: 'nodes/esp1/telemetry',
        lastSeq: 8,
        recent: [1, 2, 3, 7, 8],
        updatedAt: '2026-03-01T00:00:01.000Z',
      },
    ]);
  });

  it('writes in the caller transaction: a rollback keeps neither samples nor state', () => {
    const t = new SequenceTracker();
    t.seen('d', 1);
    expect(() =>
      store.db.transaction(() => {
        store.metrics.write([{ name: 'm', labels: {}, value: 1, ts: 1 }]);
        sequences.save(t.dirty());
        throw new Error('crash before commit');
      })(),
    ).toThrow(/crash/);
    expect(sequences.all()).toEqual([]);
    expect(store.metrics.listSeries('m')).toEqual([]);
  });

  it('forgets devices not heard from since a time; the CHECK holds for raw writes', () => {
    sequences.save([{ device: 'a', lastSeq: 1, recent: [1] }]);
    clock.advance(60_000);
    sequences.save([{ device: 'b', lastSeq: 1, recent: [1] }]);
    expect(sequences.pruneStale('2026-03-01T00:00:30Z')).toBe(1);
    expect(sequences.all().map((s) => s.device)).toEqual(['b']);
    expect(() => store.db.prepare("INSERT INTO mqtt_sequences VALUES ('x', 1, '{}', 'now')").run()).toThrow(
      /CHECK/,
    );
  });
});
