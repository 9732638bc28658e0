import { z } from 'zod';
import type { FieldContext } from '../../../config/fields.js';

export function discordChannelSchema(_ctx: FieldContext) {
  return z
    .strictObject({
      type: z.literal('discord').meta({ description: 'Post to a Discord channel through a webhook.' }),
      webhook_url: z.url({ protocol: /^https?$/ }).meta({
        description:
          'The channel webhook URL (https://discord.com/api/webhooks/<id>/<token>). It is a secret: anyone holding it can post.',
      }),
      username: z.string().min(1).max(80).optional().meta({
        description: "Display name for the messages, instead of the webhook's own.",
      }),
    })
    .meta({ description: 'Discord webhook.' });
}

export type DiscordChannelConfig = z.output<ReturnType<typeof discordChannelSchema>>;
