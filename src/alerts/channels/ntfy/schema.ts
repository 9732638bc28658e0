import { z } from 'zod';
import type { FieldContext } from '../../../config/fields.js';
import { priorityMapSchema } from '../priority.js';

export function ntfyChannelSchema(_ctx: FieldContext) {
  return z
    .strictObject({
      type: z
        .literal('ntfy')
        .meta({ description: 'Publish to an ntfy topic (ntfy.sh or a self-hosted server).' }),
      url: z.url({ protocol: /^https?$/ }).meta({
        description: 'Server and topic, e.g. https://ntfy.sh/my-steward-alerts.',
      }),
      token: z
        .string()
        .min(1)
        .optional()
        .meta({ description: 'Access token, sent as "Authorization: Bearer …".' }),
      username: z.string().min(1).optional().meta({ description: 'User for basic auth (with password).' }),
      password: z
        .string()
        .min(1)
        .optional()
        .meta({ description: 'Password for basic auth (with username).' }),
      priority: priorityMapSchema('ntfy', 1, 5, { critical: 5, warning: 4, info: 3, resolved: 2 }),
    })
    .superRefine((c, issue) => {
      if ((c.username === undefined) !== (c.password === undefined)) {
        issue.addIssue({ code: 'custom', message: 'username and password go together', path: ['password'] });
      }
      if (c.token !== undefined && c.username !== undefined) {
        issue.addIssue({ code: 'custom', message: 'use either token or username/password', path: ['token'] });
      }
    })
    .meta({ description: 'Push notifications through ntfy.' });
}

export type NtfyChannelConfig = z.output<ReturnType<typeof ntfyChannelSchema>>;
