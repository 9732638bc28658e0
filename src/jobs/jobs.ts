import type { CommandContext } from '../core/context.js';
import { StewardError } from '../core/errors.js';
import type { RunResult, Scheduler } from '../daemon/scheduler.js';
import type { JobRun } from '../store/job-runs.js';

export interface JobInfo {
  name: string;
  description: string | null;
  schedule: string | null;
  timezone: string | null;
  running: boolean;
  nextRun: string | null;
  lastRun: JobRun | null;
}

/** Configured jobs with their last run; live state (running, next run) when a scheduler is given. */
export function listJobs(ctx: CommandContext, scheduler?: Scheduler): JobInfo[] {
  const latest = new Map(ctx.store.jobRuns.latestPerJob().map((run) => [run.job, run]));
  return Object.entries(ctx.config.jobs).map(([name, job]) => {
    const last = latest.get(name) ?? null;
    return {
      name,
      description: job.description ?? null,
      schedule: job.schedule ?? null,
      timezone: job.timezone ?? null,
      running: scheduler ? scheduler.isRunning(name) : last !== null && last.endedAt === null,
      nextRun: scheduler?.nextRun(name)?.toISOString() ?? null,
      lastRun: last,
    };
  });
}

export function listJobRuns(ctx: CommandContext, opts: { job?: string; limit?: number }): JobRun[] {
  if (opts.job !== undefined) assertJob(ctx, opts.job);
  return ctx.store.jobRuns.list({ ...(opts.job ? { job: opts.job } : {}), limit: opts.limit ?? 20 });
}

/**
 * Starts a run now and audits who asked for it. Resolves once the run has started (its
 * id is known); `finished` settles when it ends.
 */
export function startJob(
  ctx: CommandContext,
  scheduler: Scheduler,
  name: string,
  trigger: 'manual' | 'api',
): { runId: string; finished: Promise<RunResult> } {
  assertJob(ctx, name);
  const started = scheduler.startRun(name, trigger);
  ctx.store.audit.append({
    actor: ctx.actor,
    action: 'job.run',
    target: `job:${name}`,
    details: { run_id: started.runId, trigger },
  });
  return started;
}

function assertJob(ctx: CommandContext, name: string): void {
  if (!(name in ctx.config.jobs)) {
    const known = Object.keys(ctx.config.jobs);
    throw new StewardError('E_NOT_FOUND', `no job named ${name}`, {
      hint: known.length
        ? `configured jobs: ${known.join(', ')}`
        : 'no jobs are configured (see jobs: in steward.yaml)',
    });
  }
}
