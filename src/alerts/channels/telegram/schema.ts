import { z } from 'zod';
import type { FieldContext } from '../../../config/fields.js';

export function telegramChannelSchema(_ctx: FieldContext) {
  return z
    .strictObject({
      type: z.literal('telegram').meta({ description: 'Send through a Telegram bot.' }),
      bot_token: z
        .string()
        .regex(/^[0-9]+:[A-Za-z0-9_-]+$/, { message: 'expected a bot token like 123456:ABC-DEF…' })
        .meta({ description: 'The bot token from @BotFather ("123456:ABC-DEF…"). A secret.' }),
      chat_id: z.union([z.string().min(1), z.number().int()]).meta({
        description: 'Chat to post to: a numeric id (negative for groups) or "@channelusername".',
      }),
      api_url: z
        .url({ protocol: /^https?$/ })
        .default('https://api.telegram.org')
        .meta({
          description: 'Bot API server; change it only for a self-hosted Bot API server.',
        }),
    })
    .meta({ description: 'Telegram bot messages (plain text).' });
}

export type TelegramChannelConfig = z.output<ReturnType<typeof telegramChannelSchema>>;
