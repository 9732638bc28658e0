import type { Command } from 'commander';
import { withContext } from './context.js';
import { localTime } from './output.js';
import { type CliEnv, command, jsonOption } from './program.js';

const mqtt = () => import('../mqtt/commands.js');

export function registerMqttCommands(program: Command, env: CliEnv): void {
  const group = command(program, 'mqtt', 'MQTT: the local Mosquitto’s users and ACLs, telemetry quarantine', [
    'steward mqtt apply --dry-run',
  ]);

  command(
    group,
    'apply',
    'Write Mosquitto’s passwd, acl and conf snippet from mqtt.mosquitto and reload the broker',
    ['steward mqtt apply --dry-run', 'steward mqtt apply'],
  )
    .option('--dry-run', 'show what would change (hashes masked) and write nothing')
    .addOption(jsonOption())
    .action(async (opts: { dryRun?: boolean; json?: boolean }) => {
      const m = await mqtt();
      const result = await withContext(env.globals(), (ctx) =>
        m.applyMqttAuth(ctx, { dryRun: Boolean(opts.dryRun) }),
      );
      if (opts.json) return env.printer.json(result);
      for (const file of result.files) {
        env.printer.line(
          `${file.changed ? (opts.dryRun ? 'would change' : 'changed') : 'unchanged'}: ${file.path}`,
        );
        if (file.diff) env.printer.line(file.diff.trimEnd());
      }
      if (result.usersChanged.length)
        env.printer.line(`users with a new or changed password: ${result.usersChanged.join(', ')}`);
      if (result.usersRemoved.length) env.printer.line(`users removed: ${result.usersRemoved.join(', ')}`);
      const reload = {
        signal: 'broker reloaded (SIGHUP)',
        command: 'broker reloaded (command)',
        'not-running': 'the broker is not running: the files are ready for its start',
        none: 'nothing to reload',
        'dry-run': 'dry run: nothing written',
      }[result.reloaded];
      env.printer.line(reload);
    });

  const quarantine = command(
    group,
    'quarantine',
    'Messages that did not parse (kept, counted, acknowledged)',
    ['steward mqtt quarantine list'],
  );
  command(quarantine, 'list', 'Newest quarantined messages: topic, reason, payload excerpt', [
    'steward mqtt quarantine list --limit 20',
    'steward mqtt quarantine list --json',
  ])
    .option('--limit <n>', 'at most this many', '50')
    .option('--topic <topic>', 'only this topic')
    .addOption(jsonOption())
    .action(async (opts: { limit: string; topic?: string; json?: boolean }) => {
      const m = await mqtt();
      const rows = await withContext(env.globals(), (ctx) =>
        m.listQuarantine(ctx, { limit: Number(opts.limit), ...(opts.topic ? { topic: opts.topic } : {}) }),
      );
      if (opts.json) return env.printer.json({ messages: rows });
      if (!rows.length) return env.printer.line('nothing quarantined');
      env.printer.table(
        rows.map((r) => ({
          when: localTime(r.receivedAt),
          topic: r.topic,
          reason: r.reason,
          payload: r.payloadExcerpt,
        })),
        ['when', 'topic', 'reason', 'payload'],
      );
    });
}
