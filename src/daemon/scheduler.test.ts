import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { StewardError } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import {
  type JobContext,
  type JobOutcome,
  type JobTrigger,
  type RunRecorder,
  type RunResult,
  type ScheduledJob,
  Scheduler,
  type SchedulerOptions,
} from './scheduler.js';

interface RecordedRun {
  id: string;
  job: string;
  trigger: JobTrigger;
  startedAt: Date;
  outcome?: JobOutcome;
  error?: string;
  finishes: number;
}

class MemoryRecorder implements RunRecorder {
  runs: RecordedRun[] = [];
  lastStarts = new Map<string, Date>();
  start(job: string, trigger: JobTrigger): string {
    const id = `run-${this.runs.length + 1}`;
    this.runs.push({ id, job, trigger, startedAt: new Date(), finishes: 0 });
    return id;
  }
  finish(runId: string, outcome: JobOutcome, error?: string): void {
    const run = this.runs.find((r) => r.id === runId);
    if (!run) throw new Error(`unknown run ${runId}`);
    Object.assign(run, { outcome, error, finishes: run.finishes + 1 });
  }
  lastStartedAt(job: string): Date | null {
    return this.lastStarts.get(job) ?? null;
  }
  of(job: string): RecordedRun[] {
    return this.runs.filter((r) => r.job === job);
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Sleeps `ms`, or rejects with the signal's reason when aborted first. */
function work(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason);
    });
  });
}

function job(
  name: string,
  run: (ctx: JobContext) => Promise<void>,
  extra: Partial<ScheduledJob> = {},
): ScheduledJob {
  return { name, catchUp: false, jitterMs: 0, run, ...extra };
}

const schedulers: Scheduler[] = [];
function make(opts: Partial<SchedulerOptions> = {}): { s: Scheduler; rec: MemoryRecorder } {
  const rec = new MemoryRecorder();
  const s = new Scheduler({ recorder: rec, logger: silentLogger(), ...opts });
  schedulers.push(s);
  return { s, rec };
}
afterEach(async () => {
  await Promise.all(schedulers.splice(0).map((s) => s.stop(0)));
});

async function rejection(p: Promise<unknown>): Promise<StewardError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(StewardError);
    return err as StewardError;
  }
  throw new Error('expected a rejection');
}

describe('Scheduler', () => {
  it('runs a job on its schedule and records each run', async () => {
    const finished: RunResult[] = [];
    const started: string[] = [];
    const { s, rec } = make({
      onRunFinished: (r) => finished.push(r),
      onRunStarted: (r) => started.push(r.runId),
    });
    s.setJobs([job('tick', async () => {}, { schedule: '* * * * * *' })]);
    expect(s.started).toBe(false);
    s.start();
    expect(s.started).toBe(true);
    expect(s.nextRun('tick')?.getTime()).toBeGreaterThan(Date.now() - 1);
    await sleep(2600);
    const runs = rec.of('tick');
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.every((r) => r.trigger === 'schedule')).toBe(true);
    expect(finished.length).toBeGreaterThanOrEqual(2);
    expect(finished[0]).toMatchObject({
      job: 'tick',
      trigger: 'schedule',
      outcome: 'ok',
      runId: runs[0]?.id,
    });
    expect(started[0]).toBe(runs[0]?.id);
    await s.stop(1000);
    expect(s.started).toBe(false);
    expect(s.nextRun('tick')).toBeNull();
    const count = rec.runs.length;
    await sleep(1200);
    expect(rec.runs.length).toBe(count);
  });

  it('never overlaps a job with itself and counts skipped ticks', async () => {
    let concurrent = 0;
    let maxConcurrent = 0;
    const skips: string[] = [];
    const { s, rec } = make({ onSkipped: (j) => skips.push(j) });
    s.setJobs([
      job(
        'slow',
        async ({ signal }) => {
          concurrent++;
          maxConcurrent = Math.max(maxConcurrent, concurrent);
          try {
            await work(2500, signal);
          } finally {
            concurrent--;
          }
        },
        { schedule: '* * * * * *' },
      ),
    ]);
    s.start();
    await sleep(4200);
    expect(maxConcurrent).toBe(1);
    expect(s.skipped('slow')).toBeGreaterThanOrEqual(2);
    expect(skips.length).toBe(s.skipped('slow'));
    expect(s.list()).toEqual([expect.objectContaining({ name: 'slow', skipped: s.skipped('slow') })]);
    expect(rec.of('slow').length).toBeLessThanOrEqual(2);
    await s.stop(0);
    expect(rec.of('slow').every((r) => r.outcome !== undefined && r.finishes === 1)).toBe(true);
  });

  it('stop() lets a short job finish and aborts a long one after the grace', async () => {
    const { s, rec } = make();
    s.setJobs([
      job('short', ({ signal }) => work(300, signal)),
      job('long', ({ signal }) => work(30_000, signal)),
    ]);
    const short = s.runNow('short', 'manual');
    const long = s.runNow('long', 'api');
    expect(s.running().sort()).toEqual(['long', 'short']);
    const t0 = Date.now();
    await s.stop(800);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(750);
    expect(took).toBeLessThan(800 + 400);
    expect(await short).toMatchObject({ outcome: 'ok', trigger: 'manual' });
    expect(await long).toMatchObject({ outcome: 'aborted', trigger: 'api' });
    expect(rec.of('short')[0]?.outcome).toBe('ok');
    expect(rec.of('long')[0]?.outcome).toBe('aborted');
    expect(s.running()).toEqual([]);
    const err = await rejection(s.runNow('short', 'manual'));
    expect(err.code).toBe('E_CONFLICT');
    expect(err.message).toMatch(/shutting down/);
  });

  it('stop() gives up on a job that ignores abort and records it once', async () => {
    const { s, rec } = make({ abortWaitMs: 200 });
    s.setJobs([job('stubborn', () => sleep(1500))]);
    const run = s.runNow('stubborn', 'manual');
    const t0 = Date.now();
    await s.stop(100);
    expect(Date.now() - t0).toBeLessThan(800);
    expect(rec.of('stubborn')[0]).toMatchObject({ outcome: 'aborted', finishes: 1 });
    expect((await run).outcome).toBe('aborted');
    expect(rec.of('stubborn')[0]?.finishes).toBe(1);
  });

  it('classifies failures and abort errors', async () => {
    const { s, rec } = make();
    s.setJobs([
      job('boom', async () => {
        throw new Error('disk full');
      }),
      job('abort-error', async () => {
        throw new DOMException('gave up', 'AbortError');
      }),
    ]);
    expect(await s.runNow('boom', 'manual')).toMatchObject({ outcome: 'failed', error: 'disk full' });
    expect(await s.runNow('abort-error', 'manual')).toMatchObject({ outcome: 'aborted' });
    expect(rec.of('boom')[0]).toMatchObject({ outcome: 'failed', error: 'disk full' });
  });

  it('runNow refuses unknown jobs and a job that is already running', async () => {
    const { s } = make();
    s.setJobs([job('one', ({ signal }) => work(500, signal))]);
    expect((await rejection(s.runNow('nope', 'manual'))).code).toBe('E_NOT_FOUND');
    const first = s.runNow('one', 'manual');
    expect(s.isRunning('one')).toBe(true);
    const err = await rejection(s.runNow('one', 'api'));
    expect(err.code).toBe('E_CONFLICT');
    expect(err.message).toBe('job one is already running');
    expect((await first).outcome).toBe('ok');
    expect(s.isRunning('one')).toBe(false);
    expect((await s.runNow('one', 'manual')).outcome).toBe('ok');
  });

  it('startRun hands back the run id at once and throws synchronously when it cannot start', async () => {
    const { s, rec } = make();
    s.setJobs([job('one', ({ signal }) => work(200, signal))]);
    const { runId, finished } = s.startRun('one', 'api');
    expect(runId).toBe(rec.runs[0]?.id);
    expect(() => s.startRun('one', 'api')).toThrow(/already running/);
    expect(await finished).toMatchObject({ runId, outcome: 'ok', trigger: 'api' });

    rec.start = () => {
      throw new Error('database is locked');
    };
    expect(() => s.startRun('one', 'manual')).toThrow('database is locked');
    expect(s.isRunning('one')).toBe(false);
  });

  it('catches up once when a scheduled time passed since the last start, and not otherwise', async () => {
    const clock = new ManualClock('2026-01-10T12:00:00.000Z');
    const { s, rec } = make({ clock });
    const daily = { schedule: '0 3 * * *', timezone: 'UTC', catchUp: true };
    s.setJobs([
      job('missed', async () => {}, daily),
      job('recent', async () => {}, daily),
      job('never-ran', async () => {}, daily),
      job('no-catch-up', async () => {}, { ...daily, catchUp: false }),
    ]);
    rec.lastStarts.set('missed', new Date('2026-01-09T03:00:01.000Z')); // missed 2026-01-10T03:00
    rec.lastStarts.set('recent', new Date('2026-01-10T03:00:01.000Z')); // next is tomorrow
    rec.lastStarts.set('no-catch-up', new Date('2026-01-01T03:00:00.000Z'));
    s.start();
    s.start(); // once only
    await sleep(100);
    expect(rec.runs.map((r) => [r.job, r.trigger, r.outcome])).toEqual([['missed', 'catch_up', 'ok']]);
  });

  it('delays scheduled starts by jitter, and stop() cancels a start still waiting', async () => {
    const { s, rec } = make({ random: () => 0.5 });
    s.setJobs([job('jittery', async () => {}, { schedule: '* * * * * *', jitterMs: 1000 })]);
    s.start();
    await sleep(2300);
    const runs = rec.of('jittery');
    expect(runs.length).toBeGreaterThanOrEqual(1);
    // Ticks fall on whole seconds; the start comes ~500 ms later.
    for (const r of runs) expect(r.startedAt.getMilliseconds()).toBeGreaterThanOrEqual(450);

    const other = make({ random: () => 0.99 });
    other.s.setJobs([job('waits', async () => {}, { schedule: '* * * * * *', jitterMs: 60_000 })]);
    other.s.start();
    await sleep(1100);
    expect(other.s.isRunning('waits')).toBe(true); // claimed, waiting out its jitter
    const t0 = Date.now();
    await other.s.stop(5000);
    expect(Date.now() - t0).toBeLessThan(200);
    expect(other.rec.runs).toEqual([]);
  });

  it('setJobs validates schedules, keeps a running job going and does not start removed jobs', async () => {
    const { s, rec } = make();
    const bad = (schedule: string, timezone?: string) =>
      (() => {
        try {
          s.setJobs([job('x', async () => {}, { schedule, timezone })]);
        } catch (err) {
          return err as StewardError;
        }
        throw new Error('expected E_CONFIG');
      })();
    expect(bad('not a cron').code).toBe('E_CONFIG');
    expect(bad('0 0 0 1 1 * 2030').code).toBe('E_CONFIG'); // 7 fields
    expect(bad('0 3 * * *', 'Mars/Olympus').code).toBe('E_CONFIG');
    expect(() => s.setJobs([job('a', async () => {}), job('a', async () => {})])).toThrow(/defined twice/);

    s.setJobs([job('busy', ({ signal }) => work(1500, signal), { schedule: '* * * * * *' })]);
    s.start();
    await sleep(1200);
    expect(s.isRunning('busy')).toBe(true);
    s.setJobs([]);
    expect(s.isRunning('busy')).toBe(true);
    await sleep(2000);
    expect(s.isRunning('busy')).toBe(false);
    expect(rec.of('busy')).toHaveLength(1);
    expect(rec.of('busy')[0]?.outcome).toBe('ok');
    expect((await rejection(s.runNow('busy', 'manual'))).code).toBe('E_NOT_FOUND');
  });
});
