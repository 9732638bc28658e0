import type { CommandContext } from '../core/context.js';
import type { BackupArchive } from '../store/backup-archives.js';
import type { BackupRun } from '../store/backup-runs.js';
import type { RecoveryPoint } from '../store/recovery-points.js';
import { backupsOf, jobOf } from './job-context.js';

export interface BackupJobSummary {
  job: string;
  schedule: string | null;
  targets: string[];
  lastRun: BackupRun | null;
  lastSuccessAt: string | null;
  lastRecoveryPoint: RecoveryPoint | null;
  drillSuccessRate: number | null;
  drills: number;
}

export interface BackupListing {
  jobs: BackupJobSummary[];
  archives: BackupArchive[];
}

/** `steward backup list`: every archive with its state and last verify/drill, and per job its drill record. */
export function listBackups(
  ctx: CommandContext,
  opts: { job?: string; all?: boolean; limit?: number } = {},
): BackupListing {
  if (opts.job) jobOf(ctx, opts.job);
  const jobs = Object.entries(backupsOf(ctx).jobs)
    .filter(([name]) => !opts.job || name === opts.job)
    .map(([name, job]): BackupJobSummary => {
      const rate = ctx.store.recoveryPoints.successRate(name);
      return {
        job: name,
        schedule: job.schedule ?? null,
        targets: [...job.targets],
        lastRun: ctx.store.backupRuns.list({ job: name, limit: 1 })[0] ?? null,
        lastSuccessAt: ctx.store.backupRuns.lastSuccess(name)?.finishedAt ?? null,
        lastRecoveryPoint: ctx.store.recoveryPoints.list({ job: name, limit: 1 })[0] ?? null,
        drillSuccessRate: rate.rate,
        drills: rate.total,
      };
    });
  const archives = ctx.store.archives
    .list({ ...(opts.job ? { job: opts.job } : {}), limit: opts.limit ?? 1000 })
    .filter((a) => opts.all || a.state !== 'expired');
  return { jobs, archives };
}
