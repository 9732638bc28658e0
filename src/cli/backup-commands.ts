import type { Command } from 'commander';
import { systemClock } from '../core/clock.js';
import { withContext } from './context.js';
import { SilentExit } from './exit.js';
import { localTime } from './output.js';
import { type CliEnv, command, jsonOption } from './program.js';
import { progressBar } from './progress.js';

/** Loaded on use: the archive code is not needed by the other commands. */
const backup = () => import('../backup/index.js');

function mb(bytes: number | null | undefined): string {
  return bytes === null || bytes === undefined ? '-' : `${(bytes / 1e6).toFixed(1)} MB`;
}

/** While a command runs in the foreground, Ctrl-C aborts it cleanly (partials removed). */
function interruptible(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

export function registerBackupCommands(program: Command, env: CliEnv): void {
  command(
    program,
    'keygen',
    'Create an age identity (private key, 0600) and print its recipient (public key)',
    ['steward keygen --out /etc/steward/backup.key'],
  )
    .option('--out <file>', 'write the identity here (default: print it)')
    .option('--force', 'overwrite an existing file')
    .addOption(jsonOption())
    .action(async (opts: { out?: string; force?: boolean; json?: boolean }) => {
      const { keygen } = await backup();
      const result = keygen({
        ...(opts.out ? { out: opts.out } : {}),
        ...(opts.force ? { force: true } : {}),
        clock: systemClock,
      });
      if (opts.json) return env.printer.json({ recipient: result.recipient, file: result.file });
      if (!opts.out) env.printer.line(result.identityText.trimEnd());
      else {
        env.printer.line(
          `wrote ${opts.out} (mode 0600); keep a copy off this machine: without it no archive can be restored`,
        );
        env.printer.line(`recipient (put it under backups.encryption.recipients):`);
        env.printer.line(result.recipient);
      }
    });

  const group = command(program, 'backup', 'Encrypted backups: run, list, verify, prune', [
    'steward backup run core',
  ]);

  command(group, 'run <job>', 'Run a backup job now and wait for it', [
    'steward backup run core',
    'steward backup run core --json',
  ])
    .addOption(jsonOption())
    .action(async (job: string, opts: { json?: boolean }) => {
      const { runBackup } = await backup();
      const stop = interruptible();
      const result = await withContext(env.globals(), (ctx) =>
        runBackup(ctx, { job, trigger: 'manual' }, { signal: stop.signal }),
      ).finally(() => stop.dispose());
      const { run } = result;
      if (opts.json) env.printer.json(result);
      else {
        const c = env.printer.color;
        const color = run.state === 'completed' ? c.green : run.state === 'degraded' ? c.yellow : c.red;
        env.printer.line(
          `${job}: ${color(run.state)} — ${run.files ?? 0} files, ${mb(run.bytes)} → ${mb(run.archiveBytes)}`,
        );
        for (const [target, o] of Object.entries(run.targets)) {
          env.printer.line(
            `  ${target}: ${o.outcome}${o.location ? ` ${o.location}` : ''}${o.reason ? ` (${o.reason})` : ''}`,
          );
        }
        for (const w of run.warnings) env.printer.error(`warning: ${w}`);
        if (run.error) env.printer.error(`error: ${run.error}`);
      }
      if (run.state === 'failed' || run.state === 'aborted') throw new SilentExit(1);
    });

  command(group, 'list', 'Archives with their state, last verify and drill; per job the drill success rate', [
    'steward backup list --job core',
  ])
    .option('--job <job>', 'only this job')
    .option('--all', 'include expired archives')
    .addOption(jsonOption())
    .action(async (opts: { job?: string; all?: boolean; json?: boolean }) => {
      const { listBackups } = await backup();
      const listing = await withContext(env.globals(), (ctx) =>
        listBackups(ctx, { ...(opts.job ? { job: opts.job } : {}), ...(opts.all ? { all: true } : {}) }),
      );
      if (opts.json) return env.printer.json(listing);
      env.printer.table(
        listing.jobs.map((j) => ({
          job: j.job,
          schedule: j.schedule ?? 'manual',
          'last run': j.lastRun ? `${j.lastRun.state} ${localTime(j.lastRun.startedAt)}` : 'never',
          'last drill': j.lastRecoveryPoint
            ? `${j.lastRecoveryPoint.result} (RTO ${Math.round((j.lastRecoveryPoint.rtoMs ?? 0) / 1000)}s)`
            : 'never',
          'drill success':
            j.drillSuccessRate === null ? '-' : `${(j.drillSuccessRate * 100).toFixed(0)}% of ${j.drills}`,
        })),
        ['job', 'schedule', 'last run', 'last drill', 'drill success'],
      );
      if (listing.archives.length === 0) return env.printer.line('no archives');
      env.printer.line();
      env.printer.table(
        listing.archives.map((a) => ({
          id: a.id,
          job: a.job,
          target: a.target,
          created: localTime(a.createdAt),
          state: a.state,
          size: mb(a.size),
          verified: a.lastVerifiedAt ? `${a.lastVerify} ${localTime(a.lastVerifiedAt)}` : '-',
          drilled: localTime(a.lastDrilledAt),
        })),
        ['id', 'job', 'target', 'created', 'state', 'size', 'verified', 'drilled'],
      );
    });

  command(group, 'verify <archive>', 'Check an archive: checksums without the key, every file with it', [
    'steward backup verify 01JD2…',
    'steward backup verify /media/usb/steward/core-20261122T030000Z-01JD2….tar.gz.age --identity key.txt',
  ])
    .option('--target <name>', 'only the copy on this target')
    .option('--identity <file>', 'age identity for a full check (default: backups.encryption.identity_file)')
    .option('--checksum-only', 'check only the ciphertext checksums')
    .addOption(jsonOption())
    .action(
      async (
        ref: string,
        opts: { target?: string; identity?: string; checksumOnly?: boolean; json?: boolean },
      ) => {
        const { verifyArchives } = await backup();
        const results = await withContext(env.globals(), (ctx) =>
          verifyArchives(ctx, {
            ref,
            ...(opts.target ? { target: opts.target } : {}),
            ...(opts.identity ? { identity: opts.identity } : {}),
            ...(opts.checksumOnly ? { checksumOnly: true } : {}),
          }),
        );
        if (opts.json) env.printer.json({ results });
        else {
          for (const r of results) {
            const where = r.target ? `${r.target}: ` : '';
            if (r.ok) {
              env.printer.line(
                `${where}${env.printer.color.green('ok')} (${r.mode}) ${r.file}${r.files !== null ? ` — ${r.files} files, ${mb(r.bytes)}` : ''}`,
              );
            } else env.printer.line(`${where}${env.printer.color.red('FAILED')} ${r.file}: ${r.error}`);
          }
        }
        if (results.some((r) => !r.ok)) throw new SilentExit(1);
      },
    );

  command(group, 'prune', 'Apply the GFS retention: remove archives no rule keeps', [
    'steward backup prune --dry-run',
    'steward backup prune --job core --json',
  ])
    .option('--job <job>', 'only this job')
    .option('--dry-run', 'show what would be kept and removed, change nothing')
    .addOption(jsonOption())
    .action(async (opts: { job?: string; dryRun?: boolean; json?: boolean }) => {
      const { pruneBackups } = await backup();
      const results = await withContext(env.globals(), (ctx) =>
        pruneBackups(ctx, { ...(opts.job ? { job: opts.job } : {}), dryRun: opts.dryRun === true }),
      );
      if (opts.json) return env.printer.json({ dryRun: opts.dryRun === true, results });
      for (const r of results) {
        env.printer.line(env.printer.color.bold(`${r.job} on ${r.target}: ${r.policy ?? 'no retention'}`));
        if (r.skipped) env.printer.line(`  skipped: ${r.skipped}`);
        env.printer.table(
          r.decisions.map((d) => ({
            archive: d.archiveId,
            created: localTime(d.createdAt),
            state: d.state,
            action: opts.dryRun && d.action === 'remove' ? 'would remove' : d.action,
            why: d.error ? `error: ${d.error}` : d.reasons.join(', '),
          })),
          ['archive', 'created', 'state', 'action', 'why'],
        );
      }
      if (results.some((r) => r.decisions.some((d) => d.error))) throw new SilentExit(1);
    });

  command(
    program,
    'restore <archive>',
    'Restore an archive into a directory, or put its sources back in place',
    [
      'steward restore 01JD2… --to /tmp/restored',
      'steward restore ./backups/core-20261122T030000Z-01JD2….tar.gz.age --to /tmp/r --only "sources/config/**"',
      'steward restore 01JD2… --in-place --yes',
    ],
  )
    .option('--to <dir>', 'extract here (new or empty directory)')
    .option('--only <glob...>', 'only archive paths matching these globs')
    .option('--in-place', 'put every source back where it came from (replaces live data)')
    .option('--yes', 'confirm --in-place')
    .option('--target <name>', 'read the copy on this target')
    .option('--identity <file>', 'age identity (default: backups.encryption.identity_file)')
    .addOption(jsonOption())
    .action(
      async (
        ref: string,
        opts: {
          to?: string;
          only?: string[];
          inPlace?: boolean;
          yes?: boolean;
          target?: string;
          identity?: string;
          json?: boolean;
        },
      ) => {
        const { restoreArchive } = await backup();
        const bar = progressBar('restoring');
        const result = await withContext(env.globals(), (ctx) =>
          restoreArchive(ctx, {
            ref,
            ...(opts.to ? { to: opts.to } : {}),
            ...(opts.only ? { only: opts.only } : {}),
            ...(opts.inPlace ? { inPlace: true } : {}),
            ...(opts.yes ? { yes: true } : {}),
            ...(opts.target ? { target: opts.target } : {}),
            ...(opts.identity ? { identity: opts.identity } : {}),
            onProgress: (done, total) => bar.update(done, total),
          }),
        ).finally(() => bar.done());
        if (opts.json) return env.printer.json(result);
        env.printer.line(
          `restored ${result.files} files (${mb(result.bytes)}) ${result.to ? `into ${result.to}` : `in place: ${result.sources.join(', ')}`} in ${(result.durationMs / 1000).toFixed(1)}s`,
        );
      },
    );

  command(
    program,
    'drill <job>',
    'Prove the newest archive restores: restore to scratch, check, record the RTO',
    ['steward drill core', 'steward drill core --json'],
  )
    .option('--identity <file>', 'age identity (default: backups.encryption.identity_file)')
    .addOption(jsonOption())
    .action(async (job: string, opts: { identity?: string; json?: boolean }) => {
      const { runDrill } = await backup();
      const point = await withContext(env.globals(), (ctx) =>
        runDrill(ctx, { job, ...(opts.identity ? { identity: opts.identity } : {}) }),
      );
      if (opts.json) env.printer.json(point);
      else {
        const c = env.printer.color;
        env.printer.line(
          `${job}: drill ${point.result === 'passed' ? c.green('passed') : c.red('FAILED')} — RTO ${((point.rtoMs ?? 0) / 1000).toFixed(1)}s${point.rtoLimitMs ? ` (limit ${point.rtoLimitMs / 1000}s)` : ''}`,
        );
        for (const check of point.checks)
          env.printer.line(`  ${check.ok ? 'ok ' : 'BAD'} ${check.source}: ${check.message}`);
        if (point.error) env.printer.error(`error: ${point.error}`);
        const rate = point.successRate;
        if (rate.rate !== null)
          env.printer.line(
            `drill success rate: ${(rate.rate * 100).toFixed(0)}% (${rate.passed}/${rate.total})`,
          );
      }
      if (point.result !== 'passed') throw new SilentExit(1);
    });
}
