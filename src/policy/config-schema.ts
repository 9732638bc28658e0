import { z } from 'zod';
import { type FieldContext, fields } from '../config/fields.js';
import { metaRules, rules } from './rules/index.js';

const ruleIds = rules.map((r) => r.id) as [string, ...string[]];
const ruleId = z.enum(ruleIds).meta({ hint: `one of: ${ruleIds.join(', ')}` });

export const severitySetting = z.enum(['error', 'warning', 'info', 'off']);

export const exceptionSchema = z
  .strictObject({
    service: z
      .string()
      .min(1)
      .meta({ description: 'The compose service the exception is for ("*" for every service).' }),
    rules: z
      .array(ruleId)
      .min(1)
      .meta({ description: 'Rule ids the exception covers.', hint: 'for example [no-host-namespaces]' }),
    reason: z
      .string()
      .trim()
      .min(3, { message: 'an exception needs a reason' })
      .meta({ description: 'Why the service needs it: shown beside every suppressed finding.' }),
    expires: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'expected a date YYYY-MM-DD' })
      .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), { message: 'not a calendar date' })
      .optional()
      .meta({
        description: 'Last day (UTC) the exception applies; after it the finding is back and says so.',
      }),
  })
  .meta({ description: 'A reasoned, optionally expiring, exception to policy rules for one service.' });

/** `policy:` — the compose security policy (steward lint and the daemon's compliance records). */
export function policySchema(ctx: FieldContext) {
  const f = fields(ctx);
  return z
    .strictObject({
      profile: z.enum(['baseline', 'strict']).default('baseline').meta({
        description:
          'baseline: the rules for every box; strict: also digests, and info findings become warnings.',
      }),
      rules: z.partialRecord(ruleId, severitySetting).default({}).meta({
        description: 'Per-rule severity (error, warning, info) or off.',
        hint: 'for example { read-only-rootfs: warning }',
      }),
      exceptions: z
        .array(exceptionSchema)
        .default([])
        .meta({ description: 'Reasoned exceptions per service.' }),
      public_services: z.array(z.string().min(1)).default([]).meta({
        description:
          'Services meant to be reached from the network: ports-loopback lets them publish on every interface.',
      }),
      compose_files: z.array(f.path('A compose file to lint.')).optional().meta({
        description:
          "Compose files to lint (default: each compose service's compose.files, else compose.yaml beside steward.yaml).",
      }),
      max_warnings: z
        .number()
        .int()
        .min(0)
        .optional()
        .meta({ description: 'steward lint fails when warnings exceed this.' }),
    })
    .meta({ description: 'Compose security policy: rules, severities and reasoned exceptions.' });
}

export type PolicyConfig = z.output<ReturnType<typeof policySchema>>;
export type PolicyException = z.output<typeof exceptionSchema>;
/** What the linter needs from `policy:` (the resolved config is deeply read-only). */
export interface PolicySettings {
  readonly profile: 'baseline' | 'strict';
  readonly rules: Readonly<Partial<Record<string, SeveritySetting>>>;
  readonly exceptions: readonly ExceptionSetting[];
  readonly public_services: readonly string[];
  readonly max_warnings?: number | undefined;
}
export interface ExceptionSetting {
  readonly service: string;
  readonly rules: readonly string[];
  readonly reason: string;
  readonly expires?: string | undefined;
}
export type SeveritySetting = z.output<typeof severitySetting>;
export const metaRuleIds = Object.keys(metaRules);
