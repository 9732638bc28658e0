import { z } from 'zod';
import type { FieldContext } from '../../../config/fields.js';
import { priorityMapSchema } from '../priority.js';

export function pushoverChannelSchema(_ctx: FieldContext) {
  return z
    .strictObject({
      type: z.literal('pushover').meta({ description: 'Push through Pushover.' }),
      token: z.string().min(1).meta({ description: "Your Pushover application's API token. A secret." }),
      user: z.string().min(1).meta({ description: 'The user (or group) key to deliver to. A secret.' }),
      api_url: z
        .url({ protocol: /^https?$/ })
        .default('https://api.pushover.net')
        .meta({
          description: 'Pushover API server; messages go to <api_url>/1/messages.json.',
        }),
      priority: priorityMapSchema('Pushover', -2, 1, { critical: 1, warning: 0, info: 0, resolved: -1 }),
    })
    .meta({ description: 'Pushover notifications (emergency priority 2 is not used).' });
}

export type PushoverChannelConfig = z.output<ReturnType<typeof pushoverChannelSchema>>;
