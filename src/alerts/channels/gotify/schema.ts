import { z } from 'zod';
import type { FieldContext } from '../../../config/fields.js';
import { priorityMapSchema } from '../priority.js';

export function gotifyChannelSchema(_ctx: FieldContext) {
  return z
    .strictObject({
      type: z.literal('gotify').meta({ description: 'Push to a self-hosted Gotify server.' }),
      url: z.url({ protocol: /^https?$/ }).meta({
        description:
          'Base URL of the Gotify server, e.g. https://gotify.example (messages go to <url>/message).',
      }),
      token: z.string().min(1).meta({
        description: 'Application token; sent in the X-Gotify-Key header, never in the URL.',
      }),
      priority: priorityMapSchema('Gotify', 0, 10, { critical: 8, warning: 5, info: 3, resolved: 2 }),
    })
    .meta({ description: 'Gotify push messages.' });
}

export type GotifyChannelConfig = z.output<ReturnType<typeof gotifyChannelSchema>>;
