import { z } from 'zod';
import { type FieldContext, fields } from '../../config/fields.js';

export const severities = ['critical', 'warning', 'info'] as const;
export const comparisons = ['<', '<=', '>', '>=', '==', '!='] as const;
export type Comparison = (typeof comparisons)[number];

/** Events a rule can fire on, and the event (same job) that resolves it. */
export const eventRules = {
  'backup.failed': 'backup.completed',
  'backup.degraded': 'backup.completed',
  'backup.verify_failed': 'backup.verified',
  'drill.failed': 'drill.passed',
  'drill.rto_exceeded': 'drill.passed',
  'job.failed': 'job.succeeded',
  'deploy.rolled_back': 'deploy.succeeded',
  'deploy.failed': 'deploy.succeeded',
  'mqtt.disconnected': 'mqtt.connected',
} as const;
export type RuleEvent = keyof typeof eventRules;

const labelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/);

function commonRuleFields(ctx: FieldContext) {
  const f = fields(ctx);
  return {
    severity: z.enum(severities).default('warning').meta({ description: 'How urgent: routes match on it.' }),
    summary: z.string().min(1).optional().meta({
      description:
        'One line for the notification. Placeholders: {{rule}}, {{value}}, {{message}} and {{labels.<name>}} (e.g. {{labels.check}}).',
    }),
    description: z.string().optional().meta({ description: 'Longer text; same placeholders as summary.' }),
    runbook: z
      .string()
      .optional()
      .meta({ description: 'Where a person finds what to do (URL or docs path).' }),
    extra_labels: z.record(labelName, z.string()).default({}).meta({
      description:
        'Labels added to every alert of this rule (routes, silences and inhibitions match on them).',
    }),
    for: f.duration('The condition must hold this long before the alert triggers.').optional(),
    keep_firing_for: f
      .duration(
        'After the condition clears, keep firing this long: a value hovering at the threshold does not flap.',
      )
      .optional(),
  };
}

export function checkRuleSchema(ctx: FieldContext) {
  return z
    .strictObject({
      check: z
        .string()
        .min(1)
        .optional()
        .meta({ description: 'Check name, or a glob (`web-*`, `backup.*`).' }),
      service: z.string().min(1).optional().meta({ description: 'Every check of this service.' }),
      critical: z
        .boolean()
        .optional()
        .meta({ description: 'true: every check of a service marked critical: true.' }),
      state: z
        .enum(['down', 'degraded', 'not_up'])
        .default('down')
        .meta({ description: 'Fire while the check is in this state (not_up: down or degraded).' }),
      ...commonRuleFields(ctx),
    })
    .refine((r) => r.check !== undefined || r.service !== undefined || r.critical !== undefined, {
      message: 'a check rule needs check, service or critical',
      // Fatal, so that zod's union does not take this form for a metric or event rule with a
      // typo and report its unknown keys instead of the typo.
      abort: true,
    })
    .meta({ description: 'Fires while a check is down (or degraded); one alert per check.' });
}

export function metricRuleSchema(ctx: FieldContext) {
  return z
    .strictObject({
      metric: z
        .string()
        .regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/)
        .meta({ description: 'Metric name, e.g. steward_host_filesystem_avail_ratio.' }),
      labels: z
        .record(labelName, z.string())
        .default({})
        .meta({ description: 'Only series with these label values (exact match).' }),
      op: z.enum(comparisons).meta({ description: 'How the sample compares with value to fire.' }),
      value: z.number().meta({ description: 'The threshold.' }),
      ...commonRuleFields(ctx),
    })
    .meta({
      description: 'Fires while the newest sample of a series crosses a threshold; one alert per series.',
    });
}

export function eventRuleSchema(ctx: FieldContext) {
  return z
    .strictObject({
      event: z.enum(Object.keys(eventRules) as [RuleEvent, ...RuleEvent[]]).meta({
        description:
          'What fires it; the matching success of the same job resolves it (backup.completed, drill.passed …).',
      }),
      job: z.string().min(1).optional().meta({ description: 'Only this backup job or scheduled job.' }),
      ...commonRuleFields(ctx),
    })
    .meta({
      description: 'Fires on an event (a failed backup, drill or job); resolved by the next success.',
    });
}

export function ruleSchema(ctx: FieldContext) {
  return z.union([checkRuleSchema(ctx), metricRuleSchema(ctx), eventRuleSchema(ctx)]).meta({
    description: 'An alert rule: on a check (check/service), a metric (metric/op/value) or an event.',
  });
}

export type CheckRule = z.output<ReturnType<typeof checkRuleSchema>>;
export type MetricRule = z.output<ReturnType<typeof metricRuleSchema>>;
export type EventRule = z.output<ReturnType<typeof eventRuleSchema>>;
export type RuleConfig = CheckRule | MetricRule | EventRule;
