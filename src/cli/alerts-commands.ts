import { type Command, Option } from 'commander';
import { type AlertLifecycleState, alertStates } from '../store/index.js';
import { withContext } from './context.js';
import { SilentExit } from './exit.js';
import { localTime } from './output.js';
import { type CliEnv, command, jsonOption } from './program.js';
import { durationFlag } from './since.js';

/** Loaded on use: the channel drivers pull in nodemailer and friends. */
const alerts = () => import('../alerts/commands.js');

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerAlertsCommands(program: Command, env: CliEnv): void {
  const group = command(program, 'alerts', 'Alerts: list, show, acknowledge, close, test', [
    'steward alerts list',
  ]);
  const { printer } = env;

  command(group, 'list', 'Alerts, newest first', [
    'steward alerts list --state triggered',
    'steward alerts list --json',
  ])
    .addOption(new Option('--state <state>', 'only alerts in this state').choices(alertStates))
    .option('--limit <n>', 'at most this many', '100')
    .addOption(jsonOption())
    .action(async (opts: { state?: AlertLifecycleState; limit: string; json?: boolean }) => {
      const a = await alerts();
      const list = await withContext(env.globals(), (ctx) =>
        a.listAlerts(ctx, { ...(opts.state ? { states: [opts.state] } : {}), limit: Number(opts.limit) }),
      );
      if (opts.json) return printer.json({ alerts: list });
      if (!list.length) return printer.line('no alerts');
      printer.table(
        list.map((al) => ({
          id: al.id,
          state: al.state,
          severity: al.severity,
          since: localTime(al.triggeredAt),
          summary: al.summary,
        })),
        ['id', 'state', 'severity', 'since', 'summary'],
      );
    });

  command(group, 'show <id>', 'One alert: its labels, transitions and deliveries', [
    'steward alerts show 01JC3',
  ])
    .addOption(jsonOption())
    .action(async (id: string, opts: { json?: boolean }) => {
      const a = await alerts();
      const t = await withContext(env.globals(), (ctx) => a.showAlert(ctx, id));
      if (opts.json) return printer.json(t);
      printer.line(`${t.alert.id}  ${t.alert.state}  ${t.alert.severity}  ${t.alert.summary}`);
      printer.line(
        `labels: ${Object.entries(t.alert.labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`,
      );
      if (t.alert.runbook) printer.line(`runbook: ${t.alert.runbook}`);
      printer.line();
      const rows = [
        ...t.transitions.map((e) => ({
          at: e.at,
          what: `${e.from ?? '-'} → ${e.to}`,
          who: e.actor,
          note: e.comment ?? '',
        })),
        ...t.deliveries.map((d) => ({
          at: d.sentAt ?? d.createdAt,
          what: `${d.kind} to ${d.channel}: ${d.state}`,
          who: `${d.attempts} attempt(s)`,
          note: d.lastError ?? '',
        })),
      ].sort((x, y) => x.at.localeCompare(y.at));
      printer.table(
        rows.map((r) => ({ ...r, at: localTime(r.at) })),
        ['at', 'what', 'who', 'note'],
      );
    });

  for (const [verb, help, example] of [
    [
      'ack',
      'Acknowledge: stops repeats and escalation; the channels are told who',
      'steward alerts ack 01JC3 --comment "on it"',
    ],
    ['close', 'Close a resolved alert', 'steward alerts close 01JC3 --comment "disk replaced"'],
  ] as const) {
    command(group, `${verb} <id>`, help, [example])
      .option('--comment <text>', 'why, for the timeline and the audit log')
      .addOption(jsonOption())
      .action(async (id: string, opts: { comment?: string; json?: boolean }) => {
        const a = await alerts();
        const alert = await withContext(env.globals(), (ctx) =>
          verb === 'ack'
            ? a.ackAlert(ctx, id, opts.comment ?? null)
            : a.closeAlert(ctx, id, opts.comment ?? null),
        );
        if (opts.json) return printer.json({ alert });
        printer.line(`${alert.id}: ${alert.state}`);
      });
  }

  command(group, 'test <channel-or-rule>', 'Send a notification marked as a test, now', [
    'steward alerts test phone',
    'steward alerts test core-down      # to every channel the rule routes to',
  ])
    .addOption(jsonOption())
    .action(async (target: string, opts: { json?: boolean }) => {
      const a = await alerts();
      const results = await withContext(env.globals(), (ctx) => a.sendTest(ctx, target));
      if (opts.json) printer.json({ results });
      else
        for (const r of results)
          printer.line(
            `${r.channel}: ${r.ok ? printer.color.green('sent') : printer.color.red('failed')} — ${r.detail}`,
          );
      if (results.some((r) => !r.ok)) throw new SilentExit(1);
    });

  const silence = command(program, 'silence', 'Silences: alerts that match are recorded but not sent', [
    'steward silence add --match alertname=disk-low --for 2h --comment "replacing the disk"',
  ]);
  command(silence, 'add', 'Silence alerts matching every --match for a while', [
    'steward silence add --match service=core --match severity=~"warning|info" --for 2h --comment "deploy"',
  ])
    .requiredOption('--match <matcher>', 'label matcher: k=v, k!=v, k=~regex, k!~regex (repeatable)', collect)
    .option('--for <duration>', 'how long', '1h')
    .option('--start <time>', 'start later (ISO 8601)')
    .requiredOption('--comment <text>', 'why (shown to everyone)')
    .addOption(jsonOption())
    .action(
      async (opts: { match: string[]; for: string; start?: string; comment: string; json?: boolean }) => {
        const forMs = durationFlag('--for', opts.for);
        const a = await alerts();
        const created = await withContext(env.globals(), (ctx) =>
          a.addSilence(ctx, {
            matchers: opts.match,
            forMs,
            comment: opts.comment,
            ...(opts.start ? { startsAt: opts.start } : {}),
          }),
        );
        if (opts.json) return printer.json({ silence: created });
        printer.line(`silence ${created.id} until ${localTime(created.endsAt)}`);
      },
    );
  command(silence, 'list', 'Silences that have not ended', [
    'steward silence list',
    'steward silence list --all --json',
  ])
    .option('--all', 'also ended and expired ones')
    .addOption(jsonOption())
    .action(async (opts: { all?: boolean; json?: boolean }) => {
      const list = await withContext(env.globals(), (ctx) =>
        ctx.store.silences.list({ all: opts.all === true }),
      );
      if (opts.json) return printer.json({ silences: list });
      if (!list.length) return printer.line('no silences');
      printer.table(
        list.map((s) => ({
          id: s.id,
          matchers: s.matchers.map((m) => `${m.name}${m.op}"${m.value}"`).join(', '),
          from: localTime(s.startsAt),
          until: localTime(s.expiredAt ?? s.endsAt),
          by: s.createdBy,
          comment: s.comment,
        })),
        ['id', 'matchers', 'from', 'until', 'by', 'comment'],
      );
    });
  command(silence, 'expire <id>', 'End a silence now', ['steward silence expire 01JC4'])
    .addOption(jsonOption())
    .action(async (id: string, opts: { json?: boolean }) => {
      const a = await alerts();
      const expired = await withContext(env.globals(), (ctx) => a.expireSilence(ctx, id));
      if (opts.json) return printer.json({ silence: expired });
      printer.line(`silence ${expired.id} expired`);
    });
}
