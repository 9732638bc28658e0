import fs from 'node:fs';
import path from 'node:path';
import { formatDuration } from '../config/units.js';
import type { CommandContext } from '../core/context.js';
import { errorMessage, StewardError } from '../core/errors.js';
import type { DrillCheckRecord, RecoveryPoint } from '../store/recovery-points.js';
import { type BackupDeps, backupsOf, driverFor, jobOf, scratchDir } from './job-context.js';
import { loadIdentities } from './keys.js';
import { firstReachable, type OpenedArchive, restoreToDir } from './restore.js';
import { withScratchDatabase } from './scratch-database.js';

export interface DrillOptions {
  job: string;
  identity?: string;
}

export interface DrillResult extends RecoveryPoint {
  rtoExceeded: boolean;
  successRate: { passed: number; total: number; rate: number | null };
}

/**
 * `steward drill <job>`: restores the newest archive from the first reachable target into a
 * scratch directory (and a scratch database for postgres sources), checks every source, and
 * records a recovery point with the measured RTO: start of the drill to a checked restore.
 */
export async function runDrill(
  ctx: CommandContext,
  opts: DrillOptions,
  deps: BackupDeps = {},
): Promise<DrillResult> {
  const job = jobOf(ctx, opts.job);
  const startedAt = ctx.clock.now();
  const t0 = Date.now();
  const checks: DrillCheckRecord[] = [];
  let opened: OpenedArchive | null = null;
  let error: string | null = null;
  const scratch = scratchDir(ctx, `drill-${opts.job}`);
  try {
    const identities = loadIdentities(backupsOf(ctx).encryption, opts.identity);
    if (!identities?.length) {
      throw new StewardError(
        'E_USAGE',
        'a drill needs the age identity (private key) to decrypt the archive',
        {
          hint: 'set backups.encryption.identity_file or pass --identity FILE',
        },
      );
    }
    opened = await newestReachable(ctx, opts.job, job.targets);
    const restored = await restoreToDir(opened, path.join(scratch, 'restore'), identities);
    checks.push({
      source: '(archive)',
      ok: true,
      message: `${restored.files} files, ${restored.bytes} bytes match the manifest`,
    });
    for (const src of restored.manifest.sources) {
      const config = job.sources.find((s) => s.name === src.name);
      if (!config) {
        checks.push({ source: src.name, ok: false, message: 'source is no longer configured; not checked' });
        continue;
      }
      const dir = path.join(scratch, 'restore', 'sources', src.name);
      const base = {
        signal: AbortSignal.timeout(24 * 3600_000),
        logger: ctx.logger.child({ drill: opts.job, source: src.name }),
      };
      try {
        const check = await withScratchDatabase(config, async (scratchDatabaseUrl) => {
          const sourceScratch = path.join(scratch, `check-${src.name}`);
          fs.mkdirSync(sourceScratch, { recursive: true });
          return driverFor(config).drillCheck(config, dir, {
            ...base,
            scratchDir: sourceScratch,
            ...(scratchDatabaseUrl ? { scratchDatabaseUrl } : {}),
          });
        });
        checks.push({ source: src.name, ok: check.ok, message: check.message });
      } catch (err) {
        checks.push({ source: src.name, ok: false, message: errorMessage(err) });
      }
    }
    const failed = checks.filter((c) => !c.ok);
    if (failed.length) error = failed.map((c) => `${c.source}: ${c.message}`).join('; ');
  } catch (err) {
    error = errorMessage(err);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const rtoMs = Date.now() - t0;
  const limit = job.drill.rto ?? null;
  const rtoExceeded = error === null && limit !== null && rtoMs > limit;
  if (rtoExceeded)
    error = `restore took ${formatDuration(rtoMs)}, over the RTO of ${formatDuration(limit ?? 0)}`;
  const point = ctx.store.recoveryPoints.record({
    job: opts.job,
    archiveId: opened?.archive?.id ?? null,
    target: opened?.archive?.target ?? null,
    startedAt: startedAt.toISOString(),
    finishedAt: ctx.clock.now().toISOString(),
    result: error === null ? 'passed' : 'failed',
    rtoMs,
    rtoLimitMs: limit,
    checks,
    error,
  });
  if (opened?.archive) ctx.store.archives.recordDrill(opened.archive.id);
  ctx.store.audit.append({
    actor: ctx.actor,
    action: 'backup.drill',
    target: `backup:${opts.job}`,
    details: {
      recovery_point: point.id,
      result: point.result,
      rto_ms: rtoMs,
      archive: point.archiveId,
      ...(error ? { error } : {}),
    },
  });
  if (rtoExceeded && limit !== null) {
    deps.events?.publish('drill.rto_exceeded', {
      job: opts.job,
      recoveryPointId: point.id,
      rtoMs,
      limitMs: limit,
    });
  } else if (error !== null) {
    deps.events?.publish('drill.failed', { job: opts.job, recoveryPointId: point.id, error });
  } else {
    deps.events?.publish('drill.passed', { job: opts.job, recoveryPointId: point.id, rtoMs });
  }
  return { ...point, rtoExceeded, successRate: ctx.store.recoveryPoints.successRate(opts.job) };
}

/** The newest run's archive, from the first of the job's targets that is reachable and holds it. */
async function newestReachable(
  ctx: CommandContext,
  job: string,
  targets: readonly string[],
): Promise<OpenedArchive> {
  const archives = ctx.store.archives.list({ job, states: ['completed', 'validated'], limit: 10_000 });
  if (archives.length === 0) {
    throw new StewardError('E_NOT_FOUND', `job ${job} has no completed archive to drill`, {
      hint: `run \`steward backup run ${job}\` first`,
    });
  }
  const problems: string[] = [];
  for (const runId of [...new Set(archives.map((a) => a.runId))]) {
    const copies = targets.flatMap((t) => archives.filter((a) => a.runId === runId && a.target === t));
    const opened = await firstReachable(ctx, copies, problems);
    if (opened) return opened;
  }
  throw new StewardError('E_EXTERNAL', `no target holding an archive of ${job} is reachable`, {
    hint: problems.join('; '),
  });
}
