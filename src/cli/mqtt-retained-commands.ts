import type { Command } from 'commander';
import { formatDuration } from '../config/units.js';
import type { RetainedEntry } from '../mqtt/retained/inventory.js';
import { withContext } from './context.js';
import { SilentExit } from './exit.js';
import { type CliEnv, command, jsonOption } from './program.js';
import { durationFlag } from './since.js';

const retained = () => import('../mqtt/retained/commands.js');

function age(e: RetainedEntry): string {
  if (e.ageMs === null) return 'unknown (first seen now)';
  return `≥ ${formatDuration(Math.floor(e.ageMs / 1000) * 1000)}${e.stale ? ' (stale)' : ''}`;
}

export function registerRetainedCommands(group: Command, env: CliEnv): void {
  const parent = command(group, 'retained', 'The broker’s retained messages: list them, clear stale ones', [
    'steward mqtt retained list',
    'steward mqtt retained clear --match "legacy/#" --dry-run',
  ]);

  command(
    parent,
    'list',
    'Retained messages: topic, size, age (when Steward has seen them before), payload',
    ['steward mqtt retained list', 'steward mqtt retained list --match "homeassistant/#" --json'],
  )
    .option('--match <filter>', 'only topics under this MQTT filter', '#')
    .addOption(jsonOption())
    .action(async (opts: { match: string; json?: boolean }) => {
      const r = await retained();
      const inv = await withContext(env.globals(), (ctx) => r.listRetained(ctx, { match: opts.match }));
      if (opts.json) return env.printer.json(inv);
      if (inv.entries.length === 0) env.printer.line(`no retained messages under ${opts.match}`);
      else
        env.printer.table(
          inv.entries.map((e) => ({
            topic: e.topic,
            bytes: e.bytes,
            age: age(e),
            protected: e.protected ? 'yes' : '',
            payload: e.payloadExcerpt,
          })),
          ['topic', 'bytes', 'age', 'protected', 'payload'],
        );
      if (inv.truncated) env.printer.error('the scan stopped at its limit: the list is incomplete');
    });

  command(
    parent,
    'clear',
    'Clear retained messages (a zero-length retained publish); mqtt.retained.protect is never cleared',
    [
      'steward mqtt retained clear --match "legacy/#" --dry-run',
      'steward mqtt retained clear --older-than 30d',
      'steward mqtt retained clear --match "sensors/#" --older-than 7d --json',
    ],
  )
    .option('--match <filter>', 'clear retained messages under this MQTT filter')
    .option('--older-than <duration>', 'only those Steward first saw at least this long ago')
    .option('--dry-run', 'show what would be cleared and clear nothing')
    .addOption(jsonOption())
    .action(async (opts: { match?: string; olderThan?: string; dryRun?: boolean; json?: boolean }) => {
      const olderThanMs =
        opts.olderThan === undefined ? undefined : durationFlag('--older-than', opts.olderThan);
      const r = await retained();
      const report = await withContext(env.globals(), (ctx) =>
        r.clearRetainedMessages(ctx, {
          ...(opts.match !== undefined ? { match: opts.match } : {}),
          ...(olderThanMs !== undefined ? { olderThanMs } : {}),
          dryRun: Boolean(opts.dryRun),
        }),
      );
      if (opts.json) {
        env.printer.json(report);
      } else {
        const verb = report.dryRun ? 'would clear' : 'cleared';
        const results = new Map(report.outcomes.map((o) => [o.topic, o.result]));
        for (const e of report.selected) {
          const result = report.dryRun ? verb : (results.get(e.topic) ?? 'failed');
          env.printer.line(
            `${result === 'cleared' ? verb : result}: ${e.topic} (${e.bytes} bytes, ${age(e)})`,
          );
        }
        for (const e of report.protected) env.printer.line(`protected, kept: ${e.topic}`);
        if (report.ageUnknown.length)
          env.printer.line(
            `age unknown, kept: ${report.ageUnknown.length} (Steward sees them for the first time; their age is known from the next scan)`,
          );
        if (report.younger.length)
          env.printer.line(`younger than --older-than, kept: ${report.younger.length}`);
        if (report.selected.length === 0) env.printer.line('nothing to clear');
        if (report.truncated) env.printer.error('the scan stopped at its limit: some messages were not seen');
      }
      if (!report.ok) throw new SilentExit(1);
    });
}
