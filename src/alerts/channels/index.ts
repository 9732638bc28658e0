import { z } from 'zod';
import type { FieldContext } from '../../config/fields.js';
import { alertmanagerChannel } from './alertmanager/index.js';
import { type AlertmanagerChannelConfig, alertmanagerChannelSchema } from './alertmanager/schema.js';
import { commandChannel } from './command/index.js';
import { type CommandChannelConfig, commandChannelSchema } from './command/schema.js';
import { discordChannel } from './discord/index.js';
import { type DiscordChannelConfig, discordChannelSchema } from './discord/schema.js';
import { gotifyChannel } from './gotify/index.js';
import { type GotifyChannelConfig, gotifyChannelSchema } from './gotify/schema.js';
import { ntfyChannel } from './ntfy/index.js';
import { type NtfyChannelConfig, ntfyChannelSchema } from './ntfy/schema.js';
import { pushoverChannel } from './pushover/index.js';
import { type PushoverChannelConfig, pushoverChannelSchema } from './pushover/schema.js';
import { slackChannel } from './slack/index.js';
import { type SlackChannelConfig, slackChannelSchema } from './slack/schema.js';
import { smtpChannel } from './smtp/index.js';
import { type SmtpChannelConfig, smtpChannelSchema } from './smtp/schema.js';
import { telegramChannel } from './telegram/index.js';
import { type TelegramChannelConfig, telegramChannelSchema } from './telegram/schema.js';
import type { ChannelDriver } from './types.js';
import { webhookChannel } from './webhook/index.js';
import { type WebhookChannelConfig, webhookChannelSchema } from './webhook/schema.js';

export type { WebhookBody } from './format.js';
export { signBody } from './webhook/index.js';

/**
 * Every channel type Steward knows. Adding one: its folder (schema.ts, index.ts, a test that
 * runs `runChannelContract`), its schema in the union below, its config in `ChannelConfig`
 * and its driver in `channelDrivers` (which does not type-check until all three agree).
 */
export function channelConfigSchema(ctx: FieldContext) {
  return z
    .discriminatedUnion('type', [
      webhookChannelSchema(ctx),
      ntfyChannelSchema(ctx),
      smtpChannelSchema(ctx),
      slackChannelSchema(ctx),
      discordChannelSchema(ctx),
      gotifyChannelSchema(ctx),
      telegramChannelSchema(ctx),
      pushoverChannelSchema(ctx),
      commandChannelSchema(ctx),
      alertmanagerChannelSchema(ctx),
    ])
    .meta({
      description:
        'A notification channel; "type" selects the service, the key under alerts.channels names it.',
    });
}

export type ChannelConfig =
  | WebhookChannelConfig
  | NtfyChannelConfig
  | SmtpChannelConfig
  | SlackChannelConfig
  | DiscordChannelConfig
  | GotifyChannelConfig
  | TelegramChannelConfig
  | PushoverChannelConfig
  | CommandChannelConfig
  | AlertmanagerChannelConfig;

export type ChannelType = ChannelConfig['type'];

export const channelDrivers = {
  webhook: webhookChannel,
  ntfy: ntfyChannel,
  smtp: smtpChannel,
  slack: slackChannel,
  discord: discordChannel,
  gotify: gotifyChannel,
  telegram: telegramChannel,
  pushover: pushoverChannel,
  command: commandChannel,
  alertmanager: alertmanagerChannel,
} satisfies { [T in ChannelType]: ChannelDriver<Extract<ChannelConfig, { type: T }>> };

/** The driver for a parsed channel config. */
export function channelDriverFor<C extends ChannelConfig>(config: C): ChannelDriver<C> {
  // `channelDrivers` pairs each type with the driver of exactly that config (checked by
  // `satisfies` above); TypeScript cannot follow the correlation through the index.
  return channelDrivers[config.type] as unknown as ChannelDriver<C>;
}

/** Every secret of a channel config (for scrubbing logs and stored records). */
export function channelSecrets(config: ChannelConfig): string[] {
  return channelDriverFor(config).secrets(config);
}
