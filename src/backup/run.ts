import fs from 'node:fs';
import type { CommandContext } from '../core/context.js';
import { errorMessage, StewardError } from '../core/errors.js';
import { isAbortError, runShell } from '../core/exec.js';
import { newId } from '../core/ids.js';
import type { BackupArchive } from '../store/backup-archives.js';
import type { BackupRun, BackupRunState, TargetOutcome } from '../store/backup-runs.js';
import type { BackupJobConfig } from './config-schema.js';
import { type BackupDeps, backupsOf, jobOf, lockJob, openTarget, scratchDir } from './job-context.js';
import { resolveRecipients } from './keys.js';
import { archiveFileName, SIDECAR_SUFFIX, sidecarContent } from './naming.js';
import { pruneBackups } from './prune.js';
import { recordArchiveState } from './record.js';
import { recoverStaleRuns } from './recover.js';
import type { SourceSnapshot } from './types.js';
import { verifyArchive } from './verify.js';
import { type ArchiveSink, writeArchive } from './write-archive.js';
import { writeSources } from './write-sources.js';

export interface RunBackupOptions {
  job: string;
  trigger?: string;
}

export interface BackupRunResult {
  run: BackupRun;
  archives: BackupArchive[];
}

/**
 * One backup run: sources → one encrypted archive written to every ready target at once,
 * crash-safely; then verify and prune as configured. Returns the recorded run whatever its
 * outcome (`failed` included); throws only when the run could not start (lock, config).
 */
export async function runBackup(
  ctx: CommandContext,
  opts: RunBackupOptions,
  deps: BackupDeps = {},
): Promise<BackupRunResult> {
  const job = jobOf(ctx, opts.job);
  const recipients = resolveRecipients(backupsOf(ctx).encryption);
  const lock = lockJob(ctx, opts.job, 'run');
  try {
    await recoverStaleRuns(ctx, opts.job);
    return await runLocked(ctx, opts.job, job, recipients, opts.trigger ?? 'manual', deps);
  } finally {
    lock.release();
  }
}

async function runLocked(
  ctx: CommandContext,
  jobName: string,
  job: BackupJobConfig,
  recipients: string[],
  trigger: string,
  deps: BackupDeps,
): Promise<BackupRunResult> {
  const { store, logger } = ctx;
  const startedAt = ctx.clock.now();
  const run = store.backupRuns.start({
    job: jobName,
    trigger,
    pid: process.pid,
    startedAt: startedAt.toISOString(),
  });
  const log = logger.child({ job: jobName, runId: run.id });
  deps.events?.publish('backup.started', { job: jobName, runId: run.id, trigger });
  store.audit.append({
    actor: ctx.actor,
    action: 'backup.run.started',
    target: `backup:${jobName}`,
    details: { run_id: run.id, trigger },
  });

  const controller = new AbortController();
  const signals = [controller.signal, ...(deps.signal ? [deps.signal] : [])];
  if (job.timeout !== undefined) signals.push(AbortSignal.timeout(job.timeout));
  const signal = AbortSignal.any(signals);

  const outcomes: Record<string, TargetOutcome> = {};
  const warnings: string[] = [];
  const sinks: (ArchiveSink & { archiveId: string })[] = [];
  const snapshots: SourceSnapshot[] = [];
  const scratch = scratchDir(ctx, `backup-${run.id}`);
  const fileName = archiveFileName(jobName, startedAt, run.id);
  let totals = { bytes: 0, files: 0, archiveBytes: 0 };
  let failure: unknown = null;

  try {
    for (const targetName of job.targets) {
      const target = openTarget(ctx, targetName);
      try {
        const readiness = await target.check(signal);
        if (!readiness.ready) {
          outcomes[targetName] = { outcome: 'skipped', reason: readiness.reason };
          log.warn({ target: targetName, reason: readiness.reason }, 'backup target skipped');
          deps.events?.publish('backup.target_skipped', {
            job: jobName,
            runId: run.id,
            target: targetName,
            reason: readiness.reason,
          });
          continue;
        }
        const removed = await target.removePartials(signal);
        if (removed.length)
          log.info({ target: targetName, removed }, 'removed partial archives of interrupted runs');
        const archive = store.archives.create({
          id: newId(),
          runId: run.id,
          job: jobName,
          target: targetName,
          fileName,
          createdAt: startedAt.toISOString(),
        });
        recordArchiveState(ctx, archive.id, 'in_progress');
        const upload = await target.upload(fileName, signal);
        sinks.push({ target: targetName, upload, archiveId: archive.id });
      } catch (err) {
        if (isAbortError(err)) throw err;
        outcomes[targetName] = { outcome: 'failed', reason: errorMessage(err) };
        log.error({ target: targetName, err: errorMessage(err) }, 'backup target failed before writing');
      }
    }
    if (sinks.length === 0) {
      throw new StewardError('E_EXTERNAL', 'no backup target is available', {
        details: outcomes,
        hint: Object.entries(outcomes)
          .map(([t, o]) => `${t}: ${o.reason}`)
          .join('; '),
      });
    }

    for (const hook of job.hooks.before) {
      await runShell(hook, {
        cwd: ctx.config.source.dir,
        signal,
        timeoutMs: job.hooks.timeout,
        env: hookEnv(jobName, run.id),
      });
    }

    let content = { bytes: 0, files: 0 };
    const written = await writeArchive({
      recipients,
      level: job.compression_level,
      sinks,
      signal,
      produce: async (tar) => {
        content = await writeSources({
          tar,
          jobName,
          job,
          runId: run.id,
          startedAt,
          scratch,
          signal,
          log,
          warnings,
          open: snapshots,
        });
      },
    });
    totals = { ...content, archiveBytes: written.size };

    for (const sink of sinks) {
      if (!sink.error) {
        try {
          await openTarget(ctx, sink.target).putSmall(
            `${fileName}${SIDECAR_SUFFIX}`,
            Buffer.from(sidecarContent(fileName, written.sha256)),
            signal,
          );
        } catch (err) {
          sink.error = err as Error;
          await openTarget(ctx, sink.target)
            .remove(fileName)
            .catch(() => {});
        }
      }
      if (sink.error) {
        outcomes[sink.target] = {
          outcome: 'failed',
          reason: errorMessage(sink.error),
          archiveId: sink.archiveId,
        };
        recordArchiveState(ctx, sink.archiveId, 'failed', { error: errorMessage(sink.error) });
      } else {
        outcomes[sink.target] = {
          outcome: 'completed',
          archiveId: sink.archiveId,
          ...(sink.location ? { location: sink.location } : {}),
        };
        recordArchiveState(ctx, sink.archiveId, 'completed', {
          size: written.size,
          sha256: written.sha256,
          plainBytes: written.plainBytes,
          files: totals.files,
          ...(sink.location ? { location: sink.location } : {}),
        });
      }
    }
  } catch (err) {
    failure = signal.aborted && !isAbortError(err) ? (signal.reason ?? err) : err;
    for (const sink of sinks) {
      await sink.upload.abort().catch(() => {});
      const current = store.archives.get(sink.archiveId);
      if (current && (current.state === 'in_progress' || current.state === 'scheduled')) {
        recordArchiveState(ctx, sink.archiveId, 'failed', { error: errorMessage(failure) });
        outcomes[sink.target] = {
          outcome: 'failed',
          reason: errorMessage(failure),
          archiveId: sink.archiveId,
        };
      }
    }
  } finally {
    controller.abort();
    for (const snapshot of snapshots) {
      await snapshot.cleanup().catch((err) => warnings.push(`cleanup failed: ${errorMessage(err)}`));
    }
    fs.rmSync(scratch, { recursive: true, force: true });
  }

  const completed = Object.values(outcomes).filter((o) => o.outcome === 'completed');
  const problems = Object.entries(outcomes)
    .filter(([, o]) => o.outcome !== 'completed')
    .map(([t, o]) => `${t}: ${o.outcome}${o.reason ? ` (${o.reason})` : ''}`);

  // Verification and pruning only follow a run that wrote something.
  if (failure === null && completed.length > 0) {
    if (job.verify.after_backup) {
      for (const o of completed) {
        if (!o.archiveId) continue;
        const v = await verifyArchive(ctx, { ref: o.archiveId }, deps).catch((err) => ({
          ok: false,
          error: errorMessage(err),
        }));
        if (!v.ok) {
          o.outcome = 'failed';
          o.reason = `verification failed: ${'error' in v ? v.error : ''}`;
          problems.push(`${o.archiveId}: ${o.reason}`);
        }
      }
    }
    if (job.retention || Object.keys(job.target_retention).length) {
      try {
        await pruneBackups(ctx, { job: jobName, dryRun: false, locked: true }, deps);
      } catch (err) {
        warnings.push(`prune: ${errorMessage(err)}`);
      }
    }
  }

  const stillCompleted = Object.values(outcomes).filter((o) => o.outcome === 'completed').length;
  const state: BackupRunState =
    failure !== null
      ? isAbortError(failure) || deps.signal?.aborted
        ? 'aborted'
        : 'failed'
      : stillCompleted === 0
        ? 'failed'
        : problems.length > 0
          ? 'degraded'
          : 'completed';
  const error = failure !== null ? errorMessage(failure) : stillCompleted === 0 ? problems.join('; ') : null;

  for (const hook of job.hooks.after) {
    try {
      await runShell(hook, {
        cwd: ctx.config.source.dir,
        timeoutMs: job.hooks.timeout,
        env: { ...hookEnv(jobName, run.id), STEWARD_BACKUP_STATE: state },
      });
    } catch (err) {
      warnings.push(`after hook failed: ${errorMessage(err)}`);
    }
  }

  const finished = store.backupRuns.finish(run.id, {
    state,
    bytes: totals.bytes,
    files: totals.files,
    archiveBytes: totals.archiveBytes,
    targets: outcomes,
    warnings,
    error,
  });
  const durationMs = ctx.clock.now().getTime() - startedAt.getTime();
  store.audit.append({
    actor: ctx.actor,
    action: 'backup.run.finished',
    target: `backup:${jobName}`,
    details: { run_id: run.id, state, targets: outcomes, ...(error ? { error } : {}) },
  });
  if (state === 'completed') {
    deps.events?.publish('backup.completed', {
      job: jobName,
      runId: run.id,
      bytes: totals.bytes,
      archiveBytes: totals.archiveBytes,
      durationMs,
    });
  } else if (state === 'degraded') {
    deps.events?.publish('backup.degraded', { job: jobName, runId: run.id, problems });
  } else {
    deps.events?.publish('backup.failed', { job: jobName, runId: run.id, error: error ?? state });
  }
  log.info(
    { state, durationMs, bytes: totals.bytes, archiveBytes: totals.archiveBytes },
    'backup run finished',
  );
  return { run: finished, archives: store.archives.find(run.id) };
}

function hookEnv(job: string, runId: string): Record<string, string> {
  return { STEWARD_BACKUP_JOB: job, STEWARD_BACKUP_RUN_ID: runId };
}
