import { describe, expect, it } from 'vitest';
import type { BackupRun } from '../../../store/index.js';
import { evaluateFreshness } from './evaluate.js';

const run = (startedAt: string, state: BackupRun['state'] = 'completed'): BackupRun =>
  ({ id: 'r', job: 'nightly', state, startedAt, finishedAt: startedAt, trigger: 'schedule' }) as BackupRun;
const hour = 3_600_000;
const base = { schedule: '0 3 * * *', slackMs: hour, since: '2026-01-01T00:00:00.000Z' };

describe('backup freshness', () => {
  it('is up while the next scheduled run is not yet late', () => {
    const r = evaluateFreshness({
      ...base,
      lastSuccess: run('2026-01-02T03:00:00.000Z'),
      now: Date.parse('2026-01-03T03:30:00Z'),
    });
    expect(r).toMatchObject({ status: 'up' });
  });

  it('is down once the scheduled run plus slack has passed without a newer archive', () => {
    const r = evaluateFreshness({
      ...base,
      lastSuccess: run('2026-01-02T03:00:00.000Z'),
      now: Date.parse('2026-01-03T04:00:01Z'),
    });
    expect(r?.status).toBe('down');
    expect(r?.message).toContain('the run due 2026-01-03T03:00:00.000Z has not completed');
  });

  it('follows irregular schedules: a Friday archive is fresh over the weekend of a weekday job', () => {
    const friday = run('2026-01-02T03:00:00.000Z'); // 2026-01-02 is a Friday
    const sunday = Date.parse('2026-01-04T12:00:00Z');
    expect(
      evaluateFreshness({ ...base, schedule: '0 3 * * 1-5', lastSuccess: friday, now: sunday })?.status,
    ).toBe('up');
  });

  it('has no verdict before the first run is due, and is down when it never came', () => {
    expect(
      evaluateFreshness({ ...base, lastSuccess: null, now: Date.parse('2026-01-01T02:00:00Z') }),
    ).toBeNull();
    expect(
      evaluateFreshness({ ...base, lastSuccess: null, now: Date.parse('2026-01-01T05:00:00Z') }),
    ).toMatchObject({
      status: 'down',
      message: expect.stringContaining('no completed archive yet'),
    });
  });

  it('reports a run that reached only some targets as degraded', () => {
    const r = evaluateFreshness({
      ...base,
      lastSuccess: run('2026-01-02T03:00:00.000Z', 'degraded'),
      now: Date.parse('2026-01-02T05:00:00Z'),
    });
    expect(r?.status).toBe('degraded');
  });
});
