import type { CommandContext } from '../core/context.js';
import { errorMessage, isStewardError } from '../core/errors.js';
import { backupsOf, lockJob, openTarget } from './job-context.js';

/**
 * Runs left `running` by a process that died (kill -9, power loss) become `aborted`, their
 * archives `failed`, and the partial files they left on the targets are removed. With `job`
 * the caller already holds that job's lock, so every running row is stale.
 */
export async function recoverStaleRuns(ctx: CommandContext, job?: string): Promise<number> {
  if (job !== undefined) return recoverJob(ctx, job);
  let n = 0;
  const jobs = new Set(ctx.store.backupRuns.running().map((r) => r.job));
  for (const name of jobs) {
    let lock: ReturnType<typeof lockJob>;
    try {
      lock = lockJob(ctx, name, 'recover');
    } catch (err) {
      if (isStewardError(err) && err.code === 'E_LOCKED') continue; // a live run owns it
      throw err;
    }
    try {
      n += await recoverJob(ctx, name);
    } finally {
      lock.release();
    }
  }
  return n;
}

async function recoverJob(ctx: CommandContext, job: string): Promise<number> {
  const stale = ctx.store.backupRuns.running(job);
  if (stale.length === 0) return 0;
  const reason = 'the process running this backup died before it finished';
  for (const run of stale) {
    ctx.store.backupRuns.abort(run.id, reason);
    const failed = ctx.store.archives.failOrphans([run.id], reason);
    ctx.store.audit.append({
      actor: 'system',
      action: 'backup.run.aborted',
      target: `backup:${job}`,
      details: { run_id: run.id, pid: run.pid, archives_failed: failed },
    });
  }
  const targets = backupsOf(ctx).jobs[job]?.targets ?? [];
  for (const name of targets) {
    try {
      const target = openTarget(ctx, name);
      if ((await target.check()).ready) {
        const removed = await target.removePartials();
        if (removed.length) ctx.logger.info({ job, target: name, removed }, 'removed partial archives');
      }
    } catch (err) {
      ctx.logger.warn({ job, target: name, err: errorMessage(err) }, 'could not clean partial archives');
    }
  }
  return stale.length;
}
