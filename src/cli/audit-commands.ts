import type { Command } from 'commander';
import { StewardError } from '../core/errors.js';
import { withContext } from './context.js';
import { SilentExit } from './exit.js';
import { localTime } from './output.js';
import { type CliEnv, command, jsonOption } from './program.js';
import { parseSince } from './since.js';

export function registerAuditCommands(program: Command, env: CliEnv): void {
  const audit = command(program, 'audit', 'Read and verify the tamper-evident audit log', [
    'steward audit verify',
  ]);

  command(audit, 'list', 'List audit entries, newest first', [
    'steward audit list --since 24h',
    'steward audit list --since 2026-11-01T00:00:00Z --json',
  ])
    .option('--since <when>', 'a duration ago (24h, 7d) or an ISO-8601 time')
    .option('--action <action>', 'only this action (e.g. token.create)')
    .option('--limit <n>', 'at most this many entries', '100')
    .addOption(jsonOption())
    .action(async (opts: { since?: string; action?: string; limit: string; json?: boolean }) => {
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1)
        throw new StewardError('E_USAGE', '--limit must be a positive integer');
      const entries = await withContext(env.globals(), (ctx) =>
        ctx.store.audit.list({
          ...(opts.since ? { since: parseSince(opts.since, ctx.clock.now()) } : {}),
          ...(opts.action ? { action: opts.action } : {}),
          limit,
        }),
      );
      if (opts.json) return env.printer.json({ entries });
      if (!entries.length) return env.printer.line('no audit entries');
      env.printer.table(
        entries.map((e) => ({
          seq: e.seq,
          time: localTime(e.ts),
          actor: e.actor,
          action: e.action,
          target: e.target,
        })),
        ['seq', 'time', 'actor', 'action', 'target'],
      );
    });

  command(audit, 'verify', 'Recompute the hash chain (exit 0 intact, 1 naming the first bad row)', [
    'steward audit verify',
    'steward audit verify --json',
  ])
    .addOption(jsonOption())
    .action(async (opts: { json?: boolean }) => {
      const result = await withContext(env.globals(), (ctx) => ctx.store.audit.verify());
      if (opts.json) {
        env.printer.json(result);
        if (!result.ok) throw new SilentExit(1);
        return;
      }
      if (result.ok) {
        env.printer.line(`audit log intact: ${result.rows} rows, head ${result.head}`);
        return;
      }
      throw new StewardError(
        'E_CONFLICT',
        `audit log broken at row seq ${result.firstBad.seq} (id ${result.firstBad.id}): ${result.firstBad.message}`,
        {
          hint: `${result.rows} rows before it are intact; treat everything from seq ${result.firstBad.seq} on as untrusted`,
        },
      );
    });
}
