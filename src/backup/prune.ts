import type { CommandContext } from '../core/context.js';
import { errorMessage, StewardError } from '../core/errors.js';
import { type BackupDeps, backupsOf, jobOf, lockJob, openTarget } from './job-context.js';
import { SIDECAR_SUFFIX } from './naming.js';
import { recordArchiveState } from './record.js';
import { formatPolicy, planRetention, type RetentionPolicy } from './retention.js';

export interface PruneOptions {
  job?: string;
  dryRun: boolean;
  /** The caller already holds the job's lock (a backup run prunes after itself). */
  locked?: boolean;
}

export interface PruneDecision {
  archiveId: string;
  fileName: string;
  createdAt: string;
  state: string;
  action: 'keep' | 'remove' | 'ignore';
  reasons: string[];
  error?: string;
}

export interface PruneTargetResult {
  job: string;
  target: string;
  policy: string | null;
  skipped: string | null;
  decisions: PruneDecision[];
}

/**
 * GFS retention per job and target (restic `forget` semantics, UTC calendar buckets). The
 * newest validated archive is never removed, and a policy that would remove every archive is
 * refused. Removed archives become `expired`.
 */
export async function pruneBackups(
  ctx: CommandContext,
  opts: PruneOptions,
  deps: BackupDeps = {},
): Promise<PruneTargetResult[]> {
  const jobs = opts.job ? [opts.job] : Object.keys(backupsOf(ctx).jobs);
  const results: PruneTargetResult[] = [];
  for (const name of jobs) {
    jobOf(ctx, name);
    const lock = opts.locked || opts.dryRun ? null : lockJob(ctx, name, 'prune');
    try {
      results.push(...(await pruneJob(ctx, name, opts.dryRun, deps)));
    } finally {
      lock?.release();
    }
  }
  return results;
}

async function pruneJob(ctx: CommandContext, job: string, dryRun: boolean, deps: BackupDeps) {
  const config = jobOf(ctx, job);
  const results: PruneTargetResult[] = [];
  for (const targetName of config.targets) {
    const policy = (config.target_retention[targetName] ?? config.retention) as RetentionPolicy | undefined;
    const archives = ctx.store.archives
      .list({ job, target: targetName, limit: 100_000 })
      .filter((a) => a.state !== 'expired');
    const base = { job, target: targetName, policy: policy ? formatPolicy(policy) : null };
    if (!policy) {
      results.push({ ...base, skipped: 'no retention policy: every archive is kept', decisions: [] });
      continue;
    }
    const newestValidated = archives.find((a) => a.state === 'validated');
    const plan = planRetention(
      archives.map((a) => ({ id: a.id, createdAt: new Date(a.createdAt), state: a.state })),
      policy,
      {
        now: ctx.clock.now(),
        protect: newestValidated ? [{ id: newestValidated.id, why: 'newest validated' }] : [],
      },
    );
    const byId = new Map(archives.map((a) => [a.id, a]));
    const decisions: PruneDecision[] = plan.decisions.map((d) => {
      const a = byId.get(d.id);
      return {
        archiveId: d.id,
        fileName: a?.fileName ?? '',
        createdAt: a?.createdAt ?? d.createdAt.toISOString(),
        state: a?.state ?? 'unknown',
        action: d.action,
        reasons: d.reasons,
      };
    });
    const toRemove = decisions.filter((d) => d.action === 'remove');
    let skipped: string | null = null;
    if (!dryRun && toRemove.length > 0) {
      const target = openTarget(ctx, targetName);
      const readiness = await target.check();
      if (!readiness.ready) {
        skipped = `target not available: ${readiness.reason}`;
      } else {
        for (const d of toRemove) {
          try {
            await target.remove(d.fileName);
            await target.remove(`${d.fileName}${SIDECAR_SUFFIX}`);
            recordArchiveState(ctx, d.archiveId, 'expired');
          } catch (err) {
            d.error = errorMessage(err);
          }
        }
        ctx.store.audit.append({
          actor: ctx.actor,
          action: 'backup.prune',
          target: `backup:${job}`,
          details: {
            target: targetName,
            policy: base.policy,
            removed: toRemove.filter((d) => !d.error).map((d) => ({ id: d.archiveId, file: d.fileName })),
            failed: toRemove.filter((d) => d.error).map((d) => ({ id: d.archiveId, error: d.error })),
          },
        });
        deps.events?.publish('backup.pruned', {
          job,
          target: targetName,
          removed: toRemove.filter((d) => !d.error).length,
          kept: decisions.filter((d) => d.action === 'keep').length,
        });
      }
    }
    results.push({ ...base, skipped, decisions });
  }
  return results;
}

export function assertPrunable(results: PruneTargetResult[]): void {
  const failed = results.flatMap((r) => r.decisions.filter((d) => d.error));
  if (failed.length) {
    throw new StewardError('E_EXTERNAL', `could not remove ${failed.length} archive(s): ${failed[0]?.error}`);
  }
}
