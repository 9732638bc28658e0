import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { StewardError } from '../core/errors.js';
import { openStore, type Store } from './db.js';
import { EXPOSURE_OUTPUT_MAX_BYTES, ExposureRuns, tailUtf8 } from './exposure-runs.js';

let store: Store;
let clock: ManualClock;
let runs: ExposureRuns;

beforeEach(() => {
  clock = new ManualClock('2026-02-01T00:00:00.000Z');
  store = openStore({ file: ':memory:', clock });
  runs = new ExposureRuns(store.db, clock);
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

describe('exposure runs', () => {
  it('starts a run as running and finishes it with exit code, output and error', () => {
    const run = runs.start({
      service: 'web',
      transition: 'healthy',
      command: 'tailscale funnel --bg 8085',
      trigger: 'health',
    });
    expect(run).toEqual({
      id: expect.any(String),
      service: 'web',
      transition: 'healthy',
      command: 'tailscale funnel --bg 8085',
      trigger: 'health',
      startedAt: '2026-02-01T00:00:00.000Z',
      finishedAt: null,
      outcome: 'running',
      exitCode: null,
      output: null,
      error: null,
    });
    clock.advance(1500);
    const done = runs.finish(run.id, { outcome: 'failed', exitCode: 3, output: 'nope\n', error: 'exit 3' });
    expect(done).toMatchObject({
      finishedAt: '2026-02-01T00:00:01.500Z',
      outcome: 'failed',
      exitCode: 3,
      output: 'nope\n',
      error: 'exit 3',
    });
    expect(runs.get(run.id)).toEqual(done);
    expect(codeOf(() => runs.finish(run.id, { outcome: 'ok' }))).toBe('E_CONFLICT');
    expect(codeOf(() => runs.finish('missing', { outcome: 'ok' }))).toBe('E_NOT_FOUND');
  });

  it('validates transition and trigger (and the CHECK holds for raw writes)', () => {
    expect(
      codeOf(() =>
        runs.start({ service: 'web', transition: 'up' as 'healthy', command: 'x', trigger: 'health' }),
      ),
    ).toBe('E_USAGE');
    expect(
      codeOf(() =>
        runs.start({ service: 'web', transition: 'healthy', command: 'x', trigger: 'cron' as 'health' }),
      ),
    ).toBe('E_USAGE');
    expect(() =>
      store.db
        .prepare(
          "INSERT INTO exposure_runs (id, service, transition, command, trigger, started_at, outcome) VALUES ('a', 's', 'healthy', 'c', 't', 'now', 'meh')",
        )
        .run(),
    ).toThrow(/CHECK/);
  });

  it('lastApplied is the newest ok run; lastRun and list are newest first per service', () => {
    expect(runs.lastApplied('web')).toBeNull();
    expect(runs.lastRun('web')).toBeNull();
    const a = runs.start({ service: 'web', transition: 'healthy', command: 'on', trigger: 'startup' });
    runs.finish(a.id, { outcome: 'ok', exitCode: 0 });
    clock.advance(1000);
    const b = runs.start({ service: 'web', transition: 'unhealthy', command: 'off', trigger: 'health' });
    runs.finish(b.id, { outcome: 'failed', exitCode: 1 });
    clock.advance(1000);
    const other = runs.start({ service: 'db', transition: 'unhealthy', command: 'off', trigger: 'health' });
    runs.finish(other.id, { outcome: 'ok', exitCode: 0 });

    expect(runs.lastApplied('web')).toBe('healthy');
    expect(runs.lastApplied('db')).toBe('unhealthy');
    expect(runs.lastRun('web')?.id).toBe(b.id);
    expect(runs.list({ service: 'web' }).map((r) => r.id)).toEqual([b.id, a.id]);
    expect(runs.list().map((r) => r.id)).toEqual([other.id, b.id, a.id]);
    expect(runs.list({ limit: 1 }).map((r) => r.id)).toEqual([other.id]);
  });

  it('abortStale closes runs left running by a dead process as failed', () => {
    const run = runs.start({ service: 'web', transition: 'healthy', command: 'on', trigger: 'health' });
    expect(runs.abortStale('daemon restarted')).toBe(1);
    expect(runs.get(run.id)).toMatchObject({ outcome: 'failed', error: 'daemon restarted' });
    expect(runs.lastApplied('web')).toBeNull();
    expect(runs.abortStale('again')).toBe(0);
  });

  it('keeps at most 4 KiB of output, cut on a character boundary', () => {
    const run = runs.start({ service: 'web', transition: 'healthy', command: 'on', trigger: 'health' });
    const long = `${'x'.repeat(5000)}é${'é'.repeat(3000)}END`;
    const done = runs.finish(run.id, { outcome: 'ok', output: long });
    expect(Buffer.byteLength(done.output ?? '', 'utf8')).toBeLessThanOrEqual(EXPOSURE_OUTPUT_MAX_BYTES);
    expect(done.output?.endsWith('END')).toBe(true);
    expect(done.output?.startsWith('é')).toBe(true);
    expect(tailUtf8('short')).toBe('short');
  });
});
