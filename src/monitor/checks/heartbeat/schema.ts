import { z } from 'zod';
import { type FieldContext, fields } from '../../../config/fields.js';
import { commonCheckFields } from '../common-schema.js';

export function heartbeatCheckSchema(ctx: FieldContext) {
  const f = fields(ctx);
  const { interval, service, labels } = commonCheckFields(ctx);
  return z
    .strictObject({
      type: z.literal('heartbeat').meta({
        description:
          'A job that reports in (Healthchecks.io style): it calls the check’s ping URL; no ping within the grace period means down.',
      }),
      grace: f.duration(
        'How long after the last successful ping the check is marked down, e.g. 26h for a nightly job.',
      ),
      token: z
        .string()
        .regex(/^[A-Za-z0-9_-]{16,128}$/, { message: 'expected at least 16 URL-safe characters' })
        .optional()
        .meta({
          description:
            'The secret in the ping URL. Leave it out and Steward generates one (steward checks show <name> prints the URL); set it, e.g. from ${file:…}, to keep the URL across databases.',
          hint: 'at least 16 characters from A-Z a-z 0-9 _ -',
        }),
      interval: interval.meta({ description: 'How often lateness is evaluated.' }),
      service,
      labels,
    })
    .meta({
      description:
        'Pinged by the job itself: POST or GET /api/v1/heartbeat/<token>, /start when it begins, /fail when it failed. No other auth; rate-limited.',
    });
}

export type HeartbeatCheckConfig = z.output<ReturnType<typeof heartbeatCheckSchema>>;
