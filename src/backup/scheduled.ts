import type { CommandContext } from '../core/context.js';
import type { ScheduledJob } from '../daemon/scheduler.js';
import { runDrill } from './drill.js';
import { type BackupDeps, backupsOf } from './job-context.js';
import { runBackup } from './run.js';
import { verifyArchives } from './verify.js';

/**
 * The backup schedules as scheduler jobs: `backup:<job>`, `verify:<job>` (the newest archive)
 * and `drill:<job>`. A run whose outcome is not good throws, so the scheduler records it failed.
 */
export function backupScheduledJobs(
  ctx: () => CommandContext,
  deps: Omit<BackupDeps, 'signal'>,
): ScheduledJob[] {
  const jobs: ScheduledJob[] = [];
  for (const [name, job] of Object.entries(backupsOf(ctx()).jobs)) {
    const common = { ...(job.timezone ? { timezone: job.timezone } : {}), catchUp: true, jitterMs: 0 };
    jobs.push({
      name: `backup:${name}`,
      ...(job.schedule ? { schedule: job.schedule } : {}),
      ...common,
      async run({ signal, trigger }) {
        const { run } = await runBackup(ctx(), { job: name, trigger }, { ...deps, signal });
        if (run.state === 'failed' || run.state === 'aborted')
          throw new Error(run.error ?? `backup ${run.state}`);
      },
    });
    if (job.verify.schedule) {
      jobs.push({
        name: `verify:${name}`,
        schedule: job.verify.schedule,
        ...common,
        async run() {
          const c = ctx();
          const newest = c.store.archives.list({
            job: name,
            states: ['completed', 'validated'],
            limit: 1,
          })[0];
          if (!newest) return;
          const results = await verifyArchives(c, { ref: newest.runId }, deps);
          const failed = results.filter((r) => !r.ok);
          if (failed.length) throw new Error(failed.map((r) => `${r.target}: ${r.error}`).join('; '));
        },
      });
    }
    if (job.drill.schedule) {
      jobs.push({
        name: `drill:${name}`,
        schedule: job.drill.schedule,
        ...common,
        async run() {
          const point = await runDrill(ctx(), { job: name }, deps);
          if (point.result !== 'passed') throw new Error(point.error ?? 'drill failed');
        },
      });
    }
  }
  return jobs;
}
