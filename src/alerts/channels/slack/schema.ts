import { z } from 'zod';
import type { FieldContext } from '../../../config/fields.js';

export function slackChannelSchema(_ctx: FieldContext) {
  return z
    .strictObject({
      type: z.literal('slack').meta({ description: 'Post to Slack through an incoming webhook.' }),
      webhook_url: z.url({ protocol: /^https?$/ }).meta({
        description:
          'The incoming-webhook URL Slack gave you (https://hooks.slack.com/services/…). It is a secret: anyone holding it can post.',
      }),
      channel: z.string().min(1).optional().meta({
        description:
          'Channel override ("#ops"); only legacy webhooks honour it, app webhooks post to their own channel.',
      }),
      username: z.string().min(1).optional().meta({
        description: 'Display name override; only legacy webhooks honour it.',
      }),
    })
    .meta({ description: 'Slack incoming webhook.' });
}

export type SlackChannelConfig = z.output<ReturnType<typeof slackChannelSchema>>;
