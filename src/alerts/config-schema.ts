import { z } from 'zod';
import { cronExpression, type FieldContext, fields, nameKey } from '../config/fields.js';
import { channelConfigSchema } from './channels/index.js';
import { ruleSchema } from './rules/schema.js';
import { inhibitSchema, maintenanceSchema, matchersSchema } from './suppression/index.js';

/** `alerts:` — rules, routes to channels, silences' config-side cousins (maintenance, inhibition). */
export function alertsSchema(ctx: FieldContext) {
  const f = fields(ctx);
  const route = z
    .strictObject({
      match: matchersSchema.prefault({}).meta({
        description:
          'Labels an alert must have for this route ({} matches everything). A value starting with ~ is a regex.',
      }),
      notify: z
        .array(nameKey)
        .min(1)
        .meta({ description: 'Channels (under alerts.channels) that get the notifications.' }),
      continue: z
        .boolean()
        .default(false)
        .meta({ description: 'Also try the routes after this one (by default the first match wins).' }),
      group_by: z.array(z.string()).default(['alertname']).meta({
        description:
          'Alerts with equal values of these labels that fire together go out as one notification.',
      }),
      group_wait: f
        .duration('Wait this long after the first alert of a group to batch the others.')
        .prefault('0s'),
      repeat: f.duration('Remind about an unacknowledged firing alert this often.').prefault('4h'),
      escalate: z
        .array(
          z.strictObject({
            after: f.duration('Time since the alert triggered, without an acknowledgement.'),
            notify: z.array(nameKey).min(1).meta({ description: 'Channels added at this tier.' }),
          }),
        )
        .default([])
        .meta({ description: 'Tiers notified when nobody acknowledges in time; acknowledging stops them.' }),
      send_resolved: z.boolean().default(true).meta({ description: 'Notify when the alert resolves.' }),
    })
    .meta({ description: 'Where matching alerts are sent, how they are batched, repeated and escalated.' });

  return z
    .strictObject({
      channels: z
        .record(nameKey, channelConfigSchema(ctx))
        .default({})
        .meta({ description: 'Notification channels by name.' }),
      routes: z
        .array(route)
        .default([])
        .meta({ description: 'Routes, tried in order; the first match wins unless continue.' }),
      rules: z
        .record(nameKey, ruleSchema(ctx))
        .default({})
        .meta({ description: 'Alert rules by name (the alertname label).' }),
      defaults: z.boolean().default(true).meta({
        description:
          'Built-in rules: critical services’ checks down, backups failed, degraded or late, verify and drill failures, drills over their RTO, a filesystem under 10% free, failed jobs, a channel that keeps failing.',
      }),
      inhibit: inhibitSchema.default([]).meta({
        description:
          'While a source alert fires, matching target alerts are not sent (e.g. host down mutes its services).',
      }),
      maintenance: maintenanceSchema(ctx).default([]).meta({
        description:
          'Recurring windows (cron + duration) in which matching alerts are recorded but not sent.',
      }),
      close_after: f.duration('A resolved alert that stays quiet this long is closed.').prefault('24h'),
      test: z
        .strictObject({
          schedule: cronExpression.meta({
            description: 'When to send a test notification to every channel.',
          }),
          channels: z.array(nameKey).optional().meta({ description: 'Only these channels (default: all).' }),
        })
        .optional()
        .meta({
          description:
            'Regular alert testing: a marked test notification on a schedule; a failure raises an alert.',
        }),
    })
    .superRefine((alerts, issue) => {
      const known = new Set(Object.keys(alerts.channels));
      const check = (names: readonly string[], path: (string | number)[]) => {
        names.forEach((name, i) => {
          if (!known.has(name)) {
            issue.addIssue({
              code: 'custom',
              path: [...path, i],
              message: `no channel named "${name}"`,
              params: {
                hint: known.size ? `channels: ${[...known].join(', ')}` : 'define it under alerts.channels',
              },
            });
          }
        });
      };
      alerts.routes.forEach((r, i) => {
        check(r.notify, ['routes', i, 'notify']);
        r.escalate.forEach((tier, j) => {
          check(tier.notify, ['routes', i, 'escalate', j, 'notify']);
        });
      });
      if (alerts.test?.channels) check(alerts.test.channels, ['test', 'channels']);
    })
    .meta({ description: 'Alerting: rules, routes, channels, inhibition, maintenance windows.' });
}

export type AlertsConfig = z.output<ReturnType<typeof alertsSchema>>;
export type RouteConfig = AlertsConfig['routes'][number];
