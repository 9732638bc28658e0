import { z } from 'zod';
import { type FieldContext, fields, nameKey } from '../../config/fields.js';
import { checkConfigSchema } from './registry.js';

/** Names Steward gives its own checks (`backup.<job>`); a configured check may not take them. */
export const BUILTIN_CHECK_PREFIX = 'backup.';

/** `checks:` — health checks by name. */
export function checksSchema(ctx: FieldContext) {
  return z
    .record(nameKey, checkConfigSchema(ctx))
    .superRefine((checks, issue) => {
      for (const [name, check] of Object.entries(checks)) {
        if (name.startsWith(BUILTIN_CHECK_PREFIX)) {
          issue.addIssue({
            code: 'custom',
            path: [name],
            message: `check names starting with "${BUILTIN_CHECK_PREFIX}" are Steward's own (backup freshness)`,
            params: { hint: 'choose another name' },
          });
        }
        if ('timeout' in check && check.timeout !== undefined && check.timeout > check.interval) {
          issue.addIssue({
            code: 'custom',
            path: [name, 'timeout'],
            message: 'timeout must not be longer than interval',
            params: { hint: 'a probe cut off at its timeout leaves room for the next one' },
          });
        }
      }
    })
    .default({})
    .meta({
      description:
        'Health checks by name: http, tcp, tls, heartbeat, disk, sqlite, postgres, docker, command.',
    });
}

/** `host_metrics:` — the host collector (from /proc and statfs). */
export function hostMetricsSchema(ctx: FieldContext) {
  const f = fields(ctx);
  return z
    .strictObject({
      enabled: z.boolean().default(true).meta({ description: 'Collect host metrics.' }),
      interval: f.duration('How often host metrics are sampled.').prefault('15s'),
      filesystems: z
        .array(z.string().min(1))
        .default(['/'])
        .meta({ description: 'Mount points whose size, free space and inodes are collected.' }),
      interfaces: z
        .array(z.string().min(1))
        .optional()
        .meta({ description: 'Network interfaces to collect; all but loopback when left out.' }),
    })
    .meta({
      description:
        'CPU, load, memory, swap, filesystems, disk I/O, network, temperature and uptime of this host.',
    });
}

export type ChecksConfig = z.output<ReturnType<typeof checksSchema>>;
export type HostMetricsConfig = z.output<ReturnType<typeof hostMetricsSchema>>;
