import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import type { CommandContext } from '../core/context.js';
import { StewardError } from '../core/errors.js';
import { readLockHolder } from '../daemon/lock.js';
import type { DeploymentView } from '../deploy/commands.js';
import { daemonLockFile } from '../status/status.js';
import type { Deployment } from '../store/index.js';
import { withContext } from './context.js';
import { SilentExit } from './exit.js';
import { localTime } from './output.js';
import { type CliEnv, command, jsonOption } from './program.js';
import { parseSince } from './since.js';

const deploy = () => import('../deploy/commands.js');

function requireDaemon(ctx: CommandContext): void {
  if (!readLockHolder(daemonLockFile(ctx.config.data_dir))) {
    throw new StewardError('E_USAGE', 'the daemon runs deployments, and it is not running', {
      hint: 'start it (steward daemon, or systemctl start steward) and try again',
    });
  }
}

/** Waits for the daemon to finish a queued deployment, printing its log as it grows. */
async function follow(env: CliEnv, ctx: CommandContext, id: string, quiet: boolean): Promise<DeploymentView> {
  const d = await deploy();
  let printed = 0;
  while (true) {
    const view = d.showDeployment(ctx, id);
    if (!quiet) {
      for (const line of view.log.slice(printed)) {
        env.printer.error(`${localTime(line.ts)} ${line.service ? `${line.service}: ` : ''}${line.message}`);
      }
    }
    printed = view.log.length;
    if (d.isFinal(view)) return view;
    await sleep(300);
  }
}

/** Queues through `request`, then (unless --no-wait) follows the daemon's run; exit 1 unless it succeeded. */
async function queueAndFollow(
  env: CliEnv,
  opts: { wait: boolean; json?: boolean },
  request: (ctx: CommandContext) => Deployment,
): Promise<void> {
  await withContext(env.globals(), async (ctx) => {
    requireDaemon(ctx);
    const queued = request(ctx);
    if (!opts.wait) return opts.json ? env.printer.json(queued) : env.printer.line(queued.id);
    const view = await follow(env, ctx, queued.id, Boolean(opts.json));
    printOutcome(env, view, opts.json);
    if (view.state !== 'succeeded' && view.state !== 'noop') throw new SilentExit(1);
  });
}

export function registerDeployCommands(program: Command, env: CliEnv): void {
  const group = command(program, 'deploy', 'Deployments: plan, apply, history (the deploy: section)', [
    'steward deploy plan',
  ]);

  command(group, 'plan', 'What a deployment would change, per service, against the Live state', [
    'steward deploy plan',
    'steward deploy plan --service api --json',
  ])
    .option('--service <name...>', 'only these services')
    .addOption(jsonOption())
    .action(async (opts: { service?: string[]; json?: boolean }) => {
      const { planDeploy } = await import('../deploy/plan.js');
      const plan = await withContext(env.globals(), (ctx) =>
        planDeploy(ctx, opts.service ? { services: opts.service } : {}),
      );
      if (opts.json) return env.printer.json(plan);
      env.printer.line(
        plan.commit ? `desired state: commit ${plan.commit}` : `desired state: ${plan.stackDir}`,
      );
      for (const e of plan.entries) {
        const mark = e.action === 'deploy' ? (e.live ? '~' : '+') : '=';
        env.printer.line(
          `${mark} ${e.service} (${e.kind}) ${e.action === 'deploy' ? (e.live ? 'changes' : 'first deployment') : 'unchanged'}`,
        );
        for (const line of e.diff) env.printer.line(`    ${line}`);
      }
      const changed = plan.entries.filter((e) => e.action === 'deploy').length;
      env.printer.line(`${changed} to deploy, ${plan.entries.length - changed} unchanged`);
    });

  command(
    group,
    'apply',
    'Deploy the desired state through the gates (the daemon runs it; this waits and shows its log)',
    ['steward deploy apply', 'steward deploy apply --service api --no-wait --json'],
  )
    .option('--service <name...>', 'only these services')
    .option('--no-wait', 'queue it and print the id')
    .addOption(jsonOption())
    .action(async (opts: { service?: string[]; wait: boolean; json?: boolean }) => {
      const d = await deploy();
      await queueAndFollow(env, opts, (ctx) =>
        d.requestDeploy(ctx, opts.service ? { services: opts.service } : {}),
      );
    });

  command(group, 'history', 'Deployments, newest first', [
    'steward deploy history',
    'steward deploy history --service api --json',
  ])
    .option('--service <name>', 'only deployments that touched this service')
    .option('--limit <n>', 'at most this many', '20')
    .addOption(jsonOption())
    .action(async (opts: { service?: string; limit: string; json?: boolean }) => {
      const d = await deploy();
      const list = await withContext(env.globals(), (ctx) =>
        d.deploymentHistory(ctx, {
          limit: Number(opts.limit),
          ...(opts.service ? { service: opts.service } : {}),
        }),
      );
      if (opts.json) return env.printer.json({ deployments: list });
      if (!list.length) return env.printer.line('no deployments yet');
      env.printer.table(
        list.map((v) => ({
          id: v.id,
          when: localTime(v.createdAt),
          trigger: v.trigger,
          commit: v.commit?.slice(0, 12) ?? '-',
          state: v.state,
          services: v.serviceDeployments.map((s) => `${s.service}:${s.state}`).join(' ') || '-',
        })),
        ['id', 'when', 'trigger', 'commit', 'state', 'services'],
      );
    });

  command(group, 'show <id>', 'One deployment: trigger, plan, gates, per-service outcome and its log', [
    'steward deploy show 01JF3Z',
  ])
    .addOption(jsonOption())
    .action(async (id: string, opts: { json?: boolean }) => {
      const d = await deploy();
      const view = await withContext(env.globals(), (ctx) => d.showDeployment(ctx, id));
      if (opts.json) return env.printer.json(view);
      printOutcome(env, view, false);
      for (const line of view.log)
        env.printer.line(
          `  ${localTime(line.ts)} ${line.level === 'info' ? '' : `${line.level}: `}${line.service ? `${line.service}: ` : ''}${line.message}`,
        );
    });

  command(
    program,
    'rollback <service>',
    'Return a service to an earlier deployment, through the health gate',
    ['steward rollback api', 'steward rollback api --to 01JF3Z…'],
  )
    .option('--to <deployment-id>', 'the deployment to return to (default: the one before the Live one)')
    .option('--no-wait', 'queue it and print the id')
    .addOption(jsonOption())
    .action(async (service: string, opts: { to?: string; wait: boolean; json?: boolean }) => {
      const d = await deploy();
      await queueAndFollow(env, opts, (ctx) => d.requestRollback(ctx, service, opts.to));
    });

  command(program, 'logs <service>', 'Output of a native service Steward runs (supervised runner)', [
    'steward logs api --since 1h',
    'steward logs api -f',
  ])
    .option('-f, --follow', 'keep printing new lines')
    .option('--since <when>', 'only lines since then (24h, or an ISO time)')
    .option('-n, --lines <n>', 'only the last n lines')
    .action(async (service: string, opts: { follow?: boolean; since?: string; lines?: string }) => {
      const { followLogs, readLogs } = await import('../deploy/runner/index.js');
      const logDir = await withContext(
        env.globals(),
        (ctx) => {
          const spec = ctx.config.services[service];
          if (spec?.kind !== 'native')
            throw new StewardError('E_NOT_FOUND', `${service} is not a native service`);
          return path.join(ctx.config.data_dir, 'deploy', 'native', service, 'logs');
        },
        { migrate: false },
      );
      const read = {
        ...(opts.since ? { since: new Date(parseSince(opts.since, new Date())) } : {}),
        ...(opts.lines ? { tailLines: Number(opts.lines) } : {}),
      };
      if (!opts.follow) {
        for await (const line of readLogs(logDir, read)) env.printer.line(line);
        return;
      }
      const abort = new AbortController();
      process.once('SIGINT', () => abort.abort());
      try {
        for await (const line of followLogs(logDir, { ...read, signal: abort.signal }))
          env.printer.line(line);
      } catch (err) {
        if (!abort.signal.aborted) throw err;
      }
    });

  const systemd = command(program, 'systemd', 'systemd integration for native services', [
    'steward systemd unit api',
  ]);
  command(systemd, 'unit <service>', 'Print a hardened systemd unit for a native service (runner: systemd)', [
    'steward systemd unit api | sudo tee /etc/systemd/system/steward-api.service',
  ]).action(async (service: string) => {
    const { unitForService } = await import('../deploy/systemd-unit.js');
    const text = await withContext(env.globals(), (ctx) => unitForService(ctx.config, service), {
      migrate: false,
    });
    process.stdout.write(text);
  });
}

function printOutcome(env: CliEnv, view: DeploymentView, json: boolean | undefined): void {
  if (json) {
    env.printer.json(view);
    return;
  }
  env.printer.line(
    `deployment ${view.id} (${view.trigger}${view.commit ? `, commit ${view.commit.slice(0, 12)}` : ''}): ${view.state}${view.error ? ` — ${view.error}` : ''}`,
  );
  for (const s of view.serviceDeployments) {
    env.printer.line(`  ${s.service}: ${s.state}${s.reason ? ` — ${s.reason}` : ''}`);
  }
}

export function registerExposureCommands(program: Command, env: CliEnv): void {
  const group = command(
    program,
    'exposure',
    'The exposure gate: commands run on a service’s healthy/unhealthy transitions',
    ['steward exposure status'],
  );
  command(
    group,
    'status',
    'Each exposed service’s health, what was applied, and what would run now (a dry run: nothing runs)',
    ['steward exposure status', 'steward exposure status --json'],
  )
    .addOption(jsonOption())
    .action(async (opts: { json?: boolean }) => {
      const [{ exposureStatus }, { gateChecks }] = await Promise.all([
        import('../deploy/exposure/index.js'),
        import('../deploy/health-gate.js'),
      ]);
      const list = await withContext(env.globals(), (ctx) => {
        const states = new Map(ctx.store.checks.list().map((c) => [c.name, c.state as string]));
        return exposureStatus({
          services: () => ctx.config.services,
          checksOf: (service) =>
            gateChecks(ctx, service).map((name) => ({ name, state: states.get(name) ?? 'unknown' })),
          runs: ctx.store.exposureRuns,
        });
      });
      if (opts.json) return env.printer.json({ services: list });
      if (!list.length) return env.printer.line('no service has exposure: commands');
      env.printer.table(
        list.map((s) => ({
          service: s.service,
          health: s.health,
          applied: s.applied ?? '-',
          'would run': s.wouldRun ?? '-',
          'last run': s.lastRun
            ? `${s.lastRun.transition} ${s.lastRun.outcome} ${localTime(s.lastRun.startedAt)}`
            : '-',
        })),
        ['service', 'health', 'applied', 'would run', 'last run'],
      );
    });
}
