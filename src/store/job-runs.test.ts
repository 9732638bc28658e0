import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { StewardError } from '../core/errors.js';
import { openStore, type Store } from './db.js';

let store: Store;
let clock: ManualClock;

beforeEach(() => {
  clock = new ManualClock('2026-02-01T00:00:00.000Z');
  store = openStore({ file: ':memory:', clock });
});
afterEach(() => store.close());

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof StewardError ? err.code : `not a StewardError: ${String(err)}`;
  }
  return undefined;
}

describe('job runs', () => {
  it('starts and finishes a run', () => {
    const run = store.jobRuns.start({ job: 'backup', trigger: 'schedule', pid: 1234 });
    expect(run).toEqual({
      id: expect.any(String),
      job: 'backup',
      trigger: 'schedule',
      startedAt: '2026-02-01T00:00:00.000Z',
      endedAt: null,
      outcome: null,
      error: null,
      pid: 1234,
    });
    expect(store.jobRuns.running()).toEqual([run]);
    clock.advance(30_000);
    const done = store.jobRuns.finish(run.id, { outcome: 'failed', error: 'disk full' });
    expect(done).toMatchObject({
      endedAt: '2026-02-01T00:00:30.000Z',
      outcome: 'failed',
      error: 'disk full',
    });
    expect(store.jobRuns.running()).toEqual([]);
    expect(store.jobRuns.get(run.id)).toEqual(done);
  });

  it('refuses to finish twice, or a run that does not exist', () => {
    const run = store.jobRuns.start({ job: 'backup', trigger: 'manual' });
    store.jobRuns.finish(run.id, { outcome: 'ok' });
    expect(codeOf(() => store.jobRuns.finish(run.id, { outcome: 'failed' }))).toBe('E_CONFLICT');
    expect(store.jobRuns.get(run.id)?.outcome).toBe('ok');
    expect(codeOf(() => store.jobRuns.finish('nope', { outcome: 'ok' }))).toBe('E_NOT_FOUND');
  });

  it('validates trigger and outcome', () => {
    expect(codeOf(() => store.jobRuns.start({ job: 'x', trigger: 'cron' as 'manual' }))).toBe('E_USAGE');
    const run = store.jobRuns.start({ job: 'x', trigger: 'api' });
    expect(codeOf(() => store.jobRuns.finish(run.id, { outcome: 'meh' as 'ok' }))).toBe('E_USAGE');
  });

  it('lists newest first, latest per job, last start', () => {
    const ids: string[] = [];
    for (const job of ['backup', 'prune', 'backup', 'verify', 'backup']) {
      ids.push(store.jobRuns.start({ job, trigger: 'schedule' }).id);
      clock.advance(60_000);
    }
    expect(store.jobRuns.list().map((r) => r.id)).toEqual([...ids].reverse());
    expect(store.jobRuns.list({ job: 'backup', limit: 2 }).map((r) => r.id)).toEqual([ids[4], ids[2]]);
    expect(store.jobRuns.latestPerJob().map((r) => [r.job, r.id])).toEqual([
      ['backup', ids[4]],
      ['prune', ids[1]],
      ['verify', ids[3]],
    ]);
    expect(store.jobRuns.lastStartedAt('backup')).toEqual(new Date('2026-02-01T00:04:00.000Z'));
    expect(store.jobRuns.lastStartedAt('never')).toBeNull();
  });

  it('abortStale closes every open run as aborted', () => {
    const a = store.jobRuns.start({ job: 'a', trigger: 'schedule' });
    const b = store.jobRuns.start({ job: 'b', trigger: 'startup' });
    store.jobRuns.finish(b.id, { outcome: 'ok' });
    const c = store.jobRuns.start({ job: 'c', trigger: 'catch_up' });
    clock.advance(1000);
    expect(store.jobRuns.abortStale('daemon restarted')).toBe(2);
    for (const id of [a.id, c.id]) {
      expect(store.jobRuns.get(id)).toMatchObject({
        outcome: 'aborted',
        error: 'daemon restarted',
        endedAt: '2026-02-01T00:00:01.000Z',
      });
    }
    expect(store.jobRuns.get(b.id)?.outcome).toBe('ok');
    expect(store.jobRuns.running()).toEqual([]);
    expect(store.jobRuns.abortStale('again')).toBe(0);
  });
});
