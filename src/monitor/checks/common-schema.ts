import { z } from 'zod';
import { type FieldContext, fields } from '../../config/fields.js';

/**
 * The fields every check type shares. Each driver's schema spreads these into its own
 * strictObject, so a typo in any of them is reported at its line like any other key.
 */
export function commonCheckFields(ctx: FieldContext) {
  const f = fields(ctx);
  return {
    interval: f.duration('How often the check runs.').prefault('30s'),
    timeout: f
      .duration(
        'A probe that takes longer is cut off and counts as a failure. At most the interval; default 10s or the interval if shorter.',
      )
      .optional(),
    failure_threshold: z.int().min(1).max(100).default(2).meta({
      description: 'Consecutive failed probes before the check is marked down (one blip does not flap).',
    }),
    success_threshold: z
      .int()
      .min(1)
      .max(100)
      .default(1)
      .meta({ description: 'Consecutive good probes before a down check is marked up again.' }),
    service: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'The service this check watches; shown in status and exported as a label.' }),
    labels: z
      .record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), z.string())
      .default({})
      .meta({ description: 'Extra labels kept with the check’s results and alerts.' }),
  };
}
