import type { Command } from 'commander';
import { withContext } from './context.js';
import { SilentExit } from './exit.js';
import { localTime } from './output.js';
import { type CliEnv, command, jsonOption } from './program.js';

/** Loaded on use: the drivers pull in code other commands do not need. */
const checks = () => import('../monitor/checks/commands.js');

export function registerChecksCommands(program: Command, env: CliEnv): void {
  const group = command(program, 'checks', 'Health checks (the checks: section) and backup freshness', [
    'steward checks list',
  ]);

  command(group, 'list', 'Every check with its state, since when, and its last result', [
    'steward checks list',
    'steward checks list --json | jq \'.checks[] | select(.state == "down")\'',
  ])
    .addOption(jsonOption())
    .action(async (opts: { json?: boolean }) => {
      const c = await checks();
      const list = await withContext(env.globals(), (ctx) => c.listChecks(ctx));
      if (opts.json) return env.printer.json({ checks: list });
      if (!list.length) return env.printer.line('no checks configured');
      env.printer.table(
        list.map((check) => ({
          check: check.name,
          type: check.type,
          state: paintState(env, check.state),
          since: check.since ? localTime(check.since) : '-',
          latency: check.last?.latencyMs != null ? `${Math.round(check.last.latencyMs)} ms` : '-',
          message: check.last?.message ?? '',
        })),
        ['check', 'type', 'state', 'since', 'latency', 'message'],
      );
    });

  command(
    group,
    'run <name>',
    'Probe one check now, here, and print the result (does not change its state)',
    ['steward checks run core-http', 'steward checks run root-disk --json'],
  )
    .addOption(jsonOption())
    .action(async (name: string, opts: { json?: boolean }) => {
      const c = await checks();
      const result = await withContext(env.globals(), (ctx) => c.probeOnce(ctx, name));
      if (opts.json) env.printer.json({ check: name, result });
      else if (!result) env.printer.line(`${name}: no verdict yet (no ping or archive to judge)`);
      else {
        const latency = result.latencyMs !== undefined ? ` (${Math.round(result.latencyMs)} ms)` : '';
        env.printer.line(`${name}: ${paintState(env, result.status)} — ${result.message}${latency}`);
      }
      if (result?.status === 'down') throw new SilentExit(1);
    });

  command(group, 'history <name>', 'State changes of one check with their reasons, newest first', [
    'steward checks history core-http --limit 20',
  ])
    .option('--limit <n>', 'at most this many changes', '50')
    .addOption(jsonOption())
    .action(async (name: string, opts: { limit: string; json?: boolean }) => {
      const c = await checks();
      const history = await withContext(env.globals(), (ctx) =>
        c.checkHistory(ctx, name, { limit: Number(opts.limit) }),
      );
      if (opts.json) return env.printer.json(history);
      if (!history.changes.length) return env.printer.line(`${name}: no state changes yet`);
      env.printer.table(
        history.changes.map((ch) => ({
          at: localTime(ch.at),
          from: ch.from,
          to: paintState(env, ch.to),
          reason: ch.reason,
        })),
        ['at', 'from', 'to', 'reason'],
      );
    });

  command(group, 'ping-url <name>', 'The ping URLs of a heartbeat check (they are its secret)', [
    'steward checks ping-url nightly-sync',
    'curl -fsS -m 10 --retry 3 "$(steward checks ping-url nightly-sync --json | jq -r .ping)"',
  ])
    .addOption(jsonOption())
    .action(async (name: string, opts: { json?: boolean }) => {
      const c = await checks();
      const urls = await withContext(env.globals(), (ctx) => c.heartbeatUrls(ctx, name));
      if (opts.json) return env.printer.json(urls);
      env.printer.line(`success: ${urls.ping}`);
      env.printer.line(`start:   ${urls.start}`);
      env.printer.line(`fail:    ${urls.fail}`);
    });
}

export function paintState(env: CliEnv, state: string): string {
  const { color } = env.printer;
  if (state === 'up') return color.green(state);
  if (state === 'down') return color.red(state);
  if (state === 'degraded') return color.yellow(state);
  return state;
}
