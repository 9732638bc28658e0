import { z } from 'zod';
import type { FieldContext } from '../../../config/fields.js';

export function alertmanagerChannelSchema(_ctx: FieldContext) {
  return z
    .strictObject({
      type: z.literal('alertmanager').meta({ description: 'Hand the alerts to a Prometheus Alertmanager.' }),
      url: z.url({ protocol: /^https?$/ }).meta({
        description: 'Alertmanager base URL, e.g. http://127.0.0.1:9093 (alerts go to <url>/api/v2/alerts).',
      }),
      basic_auth: z
        .strictObject({
          username: z.string().min(1).meta({ description: 'User name.' }),
          password: z.string().min(1).meta({ description: 'Password.' }),
        })
        .optional()
        .meta({ description: 'HTTP basic auth, for an Alertmanager behind an authenticating proxy.' }),
      bearer_token: z.string().min(1).optional().meta({
        description: 'Sent as "Authorization: Bearer …", for an Alertmanager behind an authenticating proxy.',
      }),
    })
    .superRefine((c, issue) => {
      if (c.basic_auth && c.bearer_token) {
        issue.addIssue({
          code: 'custom',
          message: 'use either basic_auth or bearer_token',
          path: ['bearer_token'],
        });
      }
    })
    .meta({ description: 'Prometheus Alertmanager (API v2): Steward alerts become Alertmanager alerts.' });
}

export type AlertmanagerChannelConfig = z.output<ReturnType<typeof alertmanagerChannelSchema>>;
