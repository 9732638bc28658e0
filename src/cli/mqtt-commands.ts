import type { Command } from 'commander';
import { withContext } from './context.js';
import { SilentExit } from './exit.js';
import { printAclReport } from './mqtt-check-output.js';
import { registerRetainedCommands } from './mqtt-retained-commands.js';
import { localTime } from './output.js';
import { type CliEnv, command, jsonOption } from './program.js';
import { durationFlag } from './since.js';

const mqtt = () => import('../mqtt/commands.js');

export function registerMqttCommands(program: Command, env: CliEnv): void {
  const group = command(
    program,
    'mqtt',
    'MQTT: the local Mosquitto’s users and ACLs (apply, check), retained messages, self-test, quarantine',
    ['steward mqtt apply --dry-run', 'steward mqtt check', 'steward mqtt selftest'],
  );

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

  command(
    group,
    'check',
    'Prove the ACLs on the running broker: log in as each user, try what must be allowed and denied',
    ['steward mqtt check', 'steward mqtt check --json'],
  )
    .option('--wait <duration>', 'how long a subscriber waits for a message it may read', '500ms')
    .addOption(jsonOption())
    .action(async (opts: { wait: string; json?: boolean }) => {
      const waitMs = durationFlag('--wait', opts.wait);
      const m = await mqtt();
      const report = await withContext(env.globals(), (ctx) => m.checkMqttAcl(ctx, { waitMs }));
      if (opts.json) env.printer.json(report);
      else printAclReport(env, report);
      if (!report.ok) throw new SilentExit(1);
    });

  registerRetainedCommands(group, env);

  command(group, 'selftest', 'Publish a tagged message an ingest rule covers and wait until it is stored', [
    'steward mqtt selftest',
    'steward mqtt selftest --timeout 30s --json',
  ])
    .option('--timeout <duration>', 'how long to wait for the sample (default mqtt.selftest.timeout, 10s)')
    .addOption(jsonOption())
    .action(async (opts: { timeout?: string; json?: boolean }) => {
      const timeoutMs = opts.timeout === undefined ? undefined : durationFlag('--timeout', opts.timeout);
      const m = await mqtt();
      const r = await withContext(env.globals(), (ctx) =>
        m.mqttSelftest(ctx, timeoutMs === undefined ? {} : { timeoutMs }),
      );
      if (opts.json) env.printer.json(r);
      else if (r.ok) env.printer.line(`ok: ${r.message} (sample ${r.metric})`);
      else env.printer.error(`failed: ${r.message}`);
      if (!r.ok) throw new SilentExit(1);
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
