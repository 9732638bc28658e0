import type { Command } from 'commander';
import { Scheduler } from '../daemon/scheduler.js';
import { storeRecorder } from '../daemon/store-recorder.js';
import { commandJobs } from '../jobs/command-job.js';
import { listJobRuns, listJobs, startJob } from '../jobs/jobs.js';
import { withContext } from './context.js';
import { SilentExit } from './exit.js';
import { localTime } from './output.js';
import { type CliEnv, command, jsonOption } from './program.js';

export function registerJobsCommands(program: Command, env: CliEnv): void {
  const jobs = command(program, 'jobs', 'Scheduled commands (the jobs: section)', ['steward jobs list']);

  command(jobs, 'list', 'Configured jobs with their schedule and last run', [
    'steward jobs list',
    'steward jobs list --json',
  ])
    .addOption(jsonOption())
    .action(async (opts: { json?: boolean }) => {
      const list = await withContext(env.globals(), (ctx) => listJobs(ctx));
      if (opts.json) return env.printer.json({ jobs: list });
      if (!list.length) return env.printer.line('no jobs configured');
      env.printer.table(
        list.map((j) => ({
          job: j.name,
          schedule: j.schedule ?? 'manual',
          'last run': localTime(j.lastRun?.startedAt),
          outcome: j.lastRun ? (j.lastRun.outcome ?? 'running') : '-',
        })),
        ['job', 'schedule', 'last run', 'outcome'],
      );
    });

  command(jobs, 'history [job]', 'Recent runs, newest first', ['steward jobs history nightly-sync --limit 5'])
    .option('--limit <n>', 'at most this many runs', '20')
    .addOption(jsonOption())
    .action(async (job: string | undefined, opts: { limit: string; json?: boolean }) => {
      const runs = await withContext(env.globals(), (ctx) =>
        listJobRuns(ctx, { ...(job ? { job } : {}), limit: Number(opts.limit) }),
      );
      if (opts.json) return env.printer.json({ runs });
      if (!runs.length) return env.printer.line('no runs');
      env.printer.table(
        runs.map((r) => ({
          job: r.job,
          trigger: r.trigger,
          started: localTime(r.startedAt),
          ended: localTime(r.endedAt),
          outcome: r.outcome ?? 'running',
          error: r.error ?? '',
        })),
        ['job', 'trigger', 'started', 'ended', 'outcome', 'error'],
      );
    });

  command(
    jobs,
    'run <job>',
    'Run a job now in this process and wait for it (never alongside another run of it)',
    ['steward jobs run nightly-sync'],
  )
    .addOption(jsonOption())
    .action(async (name: string, opts: { json?: boolean }) => {
      const result = await withContext(env.globals(), async (ctx) => {
        const scheduler = new Scheduler({
          recorder: storeRecorder(ctx.store),
          logger: ctx.logger,
          clock: ctx.clock,
        });
        scheduler.setJobs(commandJobs(ctx.config, ctx.logger).filter((j) => j.name === name));
        const started = startJob(ctx, scheduler, name, 'manual');
        const onSignal = () => void scheduler.stop(0);
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        try {
          return await started.finished;
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
        }
      });
      if (opts.json) env.printer.json(result);
      else
        env.printer.line(
          `${result.job}: ${result.outcome}${result.error ? ` — ${result.error}` : ''} (${result.durationMs} ms)`,
        );
      if (result.outcome !== 'ok') throw new SilentExit(1);
    });
}
