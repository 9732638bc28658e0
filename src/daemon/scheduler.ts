import { Cron } from 'croner';
import { type Clock, systemClock } from '../core/clock.js';
import { errorMessage, StewardError } from '../core/errors.js';
import { abortError, isAbortError } from '../core/exec.js';
import type { Logger } from '../core/logger.js';

export type JobTrigger = 'schedule' | 'manual' | 'catch_up' | 'api' | 'startup';
export type JobOutcome = 'ok' | 'failed' | 'aborted';

export interface JobContext {
  signal: AbortSignal;
  runId: string;
  trigger: JobTrigger;
}

export interface ScheduledJob {
  name: string;
  /** Cron, 5 or 6 fields (croner syntax); without it the job only runs when asked. */
  schedule?: string;
  timezone?: string;
  /** Run once at start when a scheduled time passed while the daemon was down. */
  catchUp: boolean;
  /** Each scheduled start is delayed by a random 0..jitterMs, so jobs on one box do not pile up. */
  jitterMs: number;
  run(ctx: JobContext): Promise<void>;
}

/** Where runs are written down (the store); the scheduler holds no history itself. */
export interface RunRecorder {
  start(job: string, trigger: JobTrigger): string;
  finish(runId: string, outcome: JobOutcome, error?: string): void;
  lastStartedAt(job: string): Date | null;
}

export interface RunStarted {
  runId: string;
  job: string;
  trigger: JobTrigger;
}

export interface RunResult {
  runId: string;
  job: string;
  trigger: JobTrigger;
  outcome: JobOutcome;
  error?: string;
  durationMs: number;
}

export interface JobStatus {
  name: string;
  schedule: string | null;
  running: boolean;
  nextRun: Date | null;
  /** Scheduled ticks skipped because the previous run had not finished. */
  skipped: number;
}

export interface SchedulerOptions {
  recorder: RunRecorder;
  logger: Logger;
  clock?: Clock;
  onRunStarted?: (r: RunStarted) => void;
  onRunFinished?: (r: RunResult) => void;
  /** A scheduled tick was skipped because the job's previous run had not finished. */
  onSkipped?: (job: string) => void;
  /** 0 ≤ x < 1; tests make jitter predictable. */
  random?: () => number;
  /** After aborting at stop(), how long to wait for runs to settle before recording them ourselves. */
  abortWaitMs?: number;
}

interface Entry {
  job: ScheduledJob;
  cron: Cron | null;
  skipped: number;
}

interface Active {
  controller: AbortController;
  /** Resolves when the run (including a jitter wait) is over; never rejects. */
  settled: Promise<void>;
  /** Set once recorder.start was called, so stop() can close the record of a run that ignores abort. */
  runId: string | null;
  started: number;
  trigger: JobTrigger;
  finished: boolean;
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortError());
    const onAbort = () => {
      clearTimeout(t);
      reject(abortError());
    };
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function makeCron(job: ScheduledJob): Cron | null {
  if (job.schedule === undefined) return null;
  try {
    // No callback yet: a Cron with one arms a timer even while paused. start() schedules it.
    const cron = new Cron(job.schedule, { timezone: job.timezone, mode: '5-or-6-parts' });
    cron.nextRun(); // an unknown time zone only shows when a date is computed
    return cron;
  } catch (err) {
    throw new StewardError(
      'E_CONFIG',
      `job ${job.name}: invalid schedule "${job.schedule}": ${errorMessage(err)}`,
      {
        hint: 'use cron syntax with 5 fields (minute first) or 6 (second first), and an IANA time zone',
        cause: err,
      },
    );
  }
}

export class Scheduler {
  readonly #recorder: RunRecorder;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #opts: SchedulerOptions;
  #jobs = new Map<string, Entry>();
  /** Keyed by job name; outlives the job's definition when setJobs removes a running job. */
  readonly #active = new Map<string, Active>();
  #started = false;
  #stopping: Promise<void> | null = null;

  constructor(opts: SchedulerOptions) {
    this.#opts = opts;
    this.#recorder = opts.recorder;
    this.#log = opts.logger;
    this.#clock = opts.clock ?? systemClock;
  }

  get started(): boolean {
    return this.#started && this.#stopping === null;
  }

  /** Replaces the job set. All schedules are checked first, so a bad one leaves the old set armed. */
  setJobs(jobs: ScheduledJob[]): void {
    const next = new Map<string, Entry>();
    try {
      for (const job of jobs) {
        if (next.has(job.name)) throw new StewardError('E_CONFIG', `job ${job.name} is defined twice`);
        next.set(job.name, { job, cron: makeCron(job), skipped: this.#jobs.get(job.name)?.skipped ?? 0 });
      }
    } catch (err) {
      for (const e of next.values()) e.cron?.stop();
      throw err;
    }
    for (const e of this.#jobs.values()) e.cron?.stop();
    this.#jobs = next;
    if (this.started) for (const e of next.values()) this.#arm(e);
  }

  /** Arms the timers and runs, once, every catch-up job whose scheduled time passed while we were down. */
  start(): void {
    if (this.#stopping !== null) throw new StewardError('E_CONFLICT', 'scheduler is shutting down');
    if (this.#started) return;
    this.#started = true;
    for (const e of this.#jobs.values()) this.#arm(e);
    const now = this.#clock.now();
    for (const { job, cron } of this.#jobs.values()) {
      if (cron === null || !job.catchUp) continue;
      const last = this.#recorder.lastStartedAt(job.name);
      const due = last === null ? null : cron.nextRun(last);
      if (due === null || due >= now) continue;
      this.#log.info({ job: job.name, lastStartedAt: last, missed: due }, 'catching up a missed run');
      this.#launch(job, 'catch_up');
    }
  }

  /**
   * Starts a job at once (no jitter). Throws at once if it cannot start (E_NOT_FOUND, E_CONFLICT,
   * or the recorder's error), so a caller such as the HTTP API can answer with the run id;
   * `finished` never rejects: a failed run is an outcome.
   */
  startRun(name: string, trigger: JobTrigger): { runId: string; finished: Promise<RunResult> } {
    if (this.#stopping !== null) throw new StewardError('E_CONFLICT', 'scheduler is shutting down');
    const entry = this.#jobs.get(name);
    if (entry === undefined) {
      throw new StewardError('E_NOT_FOUND', `no job named ${name}`, { hint: 'steward jobs lists the jobs' });
    }
    if (this.#active.has(name)) {
      throw new StewardError('E_CONFLICT', `job ${name} is already running`, {
        hint: 'wait for the current run to finish',
      });
    }
    const active = this.#claim(name, trigger);
    const runId = this.#open(entry.job, active);
    const finished = this.#run(entry.job, active);
    active.settled = finished.then(() => {});
    return { runId, finished };
  }

  /** startRun, resolved when the run ends; rejects only if it cannot start. */
  async runNow(name: string, trigger: JobTrigger): Promise<RunResult> {
    return this.startRun(name, trigger).finished;
  }

  isRunning(name: string): boolean {
    return this.#active.has(name);
  }

  running(): string[] {
    return [...this.#active.keys()];
  }

  nextRun(name: string): Date | null {
    const cron = this.#jobs.get(name)?.cron;
    return cron && this.#stopping === null ? cron.nextRun(this.#clock.now()) : null;
  }

  skipped(name: string): number {
    return this.#jobs.get(name)?.skipped ?? 0;
  }

  list(): JobStatus[] {
    return [...this.#jobs.values()].map(({ job, skipped }) => ({
      name: job.name,
      schedule: job.schedule ?? null,
      running: this.isRunning(job.name),
      nextRun: this.nextRun(job.name),
      skipped,
    }));
  }

  /**
   * Stops the timers and refuses new runs; gives running jobs `graceMs` to finish, then aborts
   * them through their signal and waits for them to settle (recorded 'aborted').
   */
  stop(graceMs: number): Promise<void> {
    this.#stopping ??= this.#shutdown(graceMs);
    return this.#stopping;
  }

  async #shutdown(graceMs: number): Promise<void> {
    for (const e of this.#jobs.values()) e.cron?.stop();
    // A run still waiting out its jitter has not started: drop it now.
    for (const a of this.#active.values()) {
      if (a.runId === null) a.controller.abort(abortError('shutting down'));
    }
    const all = () => Promise.all([...this.#active.values()].map((a) => a.settled));
    if (!(await this.#within(all(), graceMs))) {
      this.#log.warn(
        { jobs: this.running(), graceMs },
        'jobs still running after the grace period; aborting them',
      );
      for (const a of this.#active.values()) a.controller.abort(abortError('shutting down'));
      const waitMs = this.#opts.abortWaitMs ?? 10_000;
      if (!(await this.#within(all(), waitMs))) {
        for (const [job, a] of this.#active) {
          this.#log.error({ job, waitMs }, 'job ignored its abort signal; recording it as aborted');
          if (a.runId !== null && !a.finished) this.#finish(job, a, 'aborted', 'did not stop when aborted');
        }
      }
    }
  }

  async #within(p: Promise<unknown>, ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    });
    try {
      return await Promise.race([p.then(() => true as const), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  #arm(entry: Entry): void {
    const { job } = entry;
    entry.cron?.schedule(() => {
      if (this.#stopping !== null || this.#jobs.get(job.name) !== entry) return;
      if (this.#active.has(job.name)) {
        entry.skipped++;
        this.#log.warn(
          { job: job.name, skipped: entry.skipped },
          'previous run still going; skipping this tick',
        );
        this.#safely('onSkipped', () => this.#opts.onSkipped?.(job.name));
        return;
      }
      this.#launch(job, 'schedule');
    });
  }

  /** Takes the job's slot synchronously, so nothing can start it twice. */
  #claim(name: string, trigger: JobTrigger): Active {
    const active: Active = {
      controller: new AbortController(),
      settled: Promise.resolve(),
      runId: null,
      started: 0,
      trigger,
      finished: false,
    };
    this.#active.set(name, active);
    return active;
  }

  /** A timer's (or catch-up's) run: waits out the jitter, then runs. Outcomes are recorded, not thrown. */
  #launch(job: ScheduledJob, trigger: JobTrigger): void {
    const active = this.#claim(job.name, trigger);
    active.settled = (async () => {
      try {
        const delay = Math.floor((this.#opts.random ?? Math.random)() * job.jitterMs);
        if (delay > 0) await abortableDelay(delay, active.controller.signal);
        this.#open(job, active);
      } catch {
        // Cancelled by stop() during the jitter, or the recorder failed (logged in #open).
        return;
      }
      await this.#run(job, active);
    })();
  }

  /** Records the start; on failure gives the slot back and throws. */
  #open(job: ScheduledJob, active: Active): string {
    let runId: string;
    try {
      runId = this.#recorder.start(job.name, active.trigger);
    } catch (err) {
      this.#active.delete(job.name);
      this.#log.error({ err, job: job.name }, 'could not record the start of a run; not running it');
      throw err;
    }
    active.runId = runId;
    active.started = performance.now();
    this.#log.debug({ job: job.name, runId, trigger: active.trigger }, 'job started');
    this.#safely('onRunStarted', () =>
      this.#opts.onRunStarted?.({ runId, job: job.name, trigger: active.trigger }),
    );
    return runId;
  }

  /** Never rejects. */
  async #run(job: ScheduledJob, active: Active): Promise<RunResult> {
    const { signal } = active.controller;
    let outcome: JobOutcome = 'ok';
    let error: string | undefined;
    try {
      await job.run({ signal, runId: active.runId ?? '', trigger: active.trigger });
      // A job that returns early because it saw the abort did not do its work.
      if (signal.aborted) [outcome, error] = ['aborted', 'aborted: shutting down'];
    } catch (err) {
      outcome = signal.aborted || isAbortError(err) ? 'aborted' : 'failed';
      error = errorMessage(err);
    }
    // stop() gave up waiting and closed its record already.
    if (active.finished) return this.#result(job.name, active, outcome, error);
    return this.#finish(job.name, active, outcome, error);
  }

  #finish(job: string, active: Active, outcome: JobOutcome, error: string | undefined): RunResult {
    active.finished = true;
    if (this.#active.get(job) === active) this.#active.delete(job);
    const result = this.#result(job, active, outcome, error);
    this.#safely('recorder.finish', () => this.#recorder.finish(result.runId, outcome, error));
    // debug: the owner of onRunFinished decides how loudly a run's end is reported.
    this.#log.debug(
      { job, runId: result.runId, outcome, error, durationMs: result.durationMs },
      'job finished',
    );
    this.#safely('onRunFinished', () => this.#opts.onRunFinished?.(result));
    return result;
  }

  #result(job: string, active: Active, outcome: JobOutcome, error: string | undefined): RunResult {
    const r: RunResult = {
      runId: active.runId ?? '',
      job,
      trigger: active.trigger,
      outcome,
      durationMs: Math.round(performance.now() - active.started),
    };
    if (error !== undefined) r.error = error;
    return r;
  }

  #safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#log.error({ err, what }, 'scheduler callback failed');
    }
  }
}
