import type { Command } from 'commander';
import { stewardVersion } from '../core/version.js';
import { getStatus } from '../status/status.js';
import { paintState } from './checks-commands.js';
import { withContext } from './context.js';
import { localTime } from './output.js';
import { type CliEnv, command, jsonOption } from './program.js';

export function registerStatusCommands(program: Command, env: CliEnv): void {
  command(
    program,
    'status',
    'Services, last job runs, version and whether the daemon runs (works with it stopped)',
    ['steward status', 'steward status --json | jq .daemon'],
  )
    .addOption(jsonOption())
    .action(async (opts: { json?: boolean }) => {
      const status = await withContext(env.globals(), (ctx) => getStatus(ctx));
      if (opts.json) return env.printer.json(status);
      const { color, line, table } = env.printer;
      line(
        `${color.bold(status.name ?? 'steward')} ${status.version} — ${status.environment.name} (${status.environment.type})`,
      );
      line(
        status.daemon.running
          ? `daemon: ${color.green('running')} (PID ${status.daemon.pid}, since ${localTime(status.daemon.since)}) at ${status.daemon.url}`
          : `daemon: ${color.yellow('not running')}`,
      );
      line(
        `store:  ${status.store.file} (schema ${status.store.schemaVersion}${status.store.pendingMigrations ? `, ${status.store.pendingMigrations} pending` : ''})`,
      );
      line();
      if (status.services.length) {
        table(
          status.services.map((s) => ({
            service: s.name,
            kind: s.kind,
            critical: s.critical,
            state: s.state,
          })),
          ['service', 'kind', 'critical', 'state'],
        );
        line();
      }
      if (status.checks.length) {
        table(
          status.checks.map((c) => ({
            check: c.name,
            service: c.service ?? '',
            state: paintState(env, c.state),
            since: localTime(c.since),
            message: c.message ?? '',
          })),
          ['check', 'service', 'state', 'since', 'message'],
        );
        line();
      }
      if (status.policy.services.length) {
        const paint = { compliant: color.green, warnings: color.yellow, 'non-compliant': color.red } as const;
        table(
          status.policy.services.map((p) => ({
            service: p.service || '(file)',
            policy: paint[p.status](p.status),
            errors: p.open.error,
            warnings: p.open.warning,
            info: p.open.info,
            excepted: p.excepted,
          })),
          ['service', 'policy', 'errors', 'warnings', 'info', 'excepted'],
        );
        line(
          color.dim(
            status.policy.lastRun
              ? `policy checked ${localTime(status.policy.lastRun.at)}; steward lint shows the findings`
              : 'policy not checked yet (the daemon checks on start)',
          ),
        );
        line();
      }
      if (status.jobs.length) {
        table(
          status.jobs.map((j) => ({
            job: j.name,
            schedule: j.schedule ?? 'manual',
            'last run': localTime(j.lastRun?.startedAt),
            outcome: j.lastRun ? (j.lastRun.outcome ?? 'running') : '-',
            error: j.lastRun?.error ?? '',
          })),
          ['job', 'schedule', 'last run', 'outcome', 'error'],
        );
      }
    });

  command(program, 'version', 'Print the version', ['steward version', 'steward version --json'])
    .addOption(jsonOption())
    .action((opts: { json?: boolean }) => {
      if (opts.json) return env.printer.json({ version: stewardVersion, node: process.version });
      env.printer.line(`steward ${stewardVersion} (node ${process.version})`);
    });
}
