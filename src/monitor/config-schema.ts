import { z } from 'zod';
import { cronExpression, type FieldContext, fields } from '../config/fields.js';

/** `metrics:` — how long the embedded metrics store keeps raw samples and its rollups. */
export function metricsSchema(ctx: FieldContext) {
  const f = fields(ctx);
  return z
    .strictObject({
      retention: z
        .strictObject({
          raw: f.duration('Keep raw samples this long.').prefault('90d'),
          // 35d: every range a 1-minute step allows (50,000 points ≈ 34.7 days) reads rollups.
          minute: f
            .duration(
              'Keep per-minute rollups (min, max, sum, count, last) this long; a query at a step of whole minutes within it reads them instead of the raw samples.',
            )
            .prefault('35d'),
          hourly: f.duration('Keep hourly rollups (min, max, avg, count, last) this long.').prefault('365d'),
        })
        .prefault({})
        .refine((r) => r.hourly >= r.raw, {
          message: 'hourly retention must be at least as long as raw retention',
          path: ['hourly'],
        })
        .meta({ description: 'How long metrics are kept; older data is pruned every hour.' }),
      prune_schedule: cronExpression
        .default('17 * * * *')
        .meta({ description: 'Cron expression for pruning samples and rollups past their retention.' }),
    })
    .meta({ description: 'The embedded metrics store (same SQLite file as everything else).' });
}

export type MetricsConfig = z.output<ReturnType<typeof metricsSchema>>;
