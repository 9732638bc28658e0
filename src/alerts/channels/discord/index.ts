import { colorOf, displayTitle, firstUrl, truncate } from '../format.js';
import { postJson, urlPathSecrets } from '../http.js';
import type { ChannelDriver } from '../types.js';
import type { DiscordChannelConfig } from './schema.js';

export { type DiscordChannelConfig, discordChannelSchema } from './schema.js';

/**
 * Discord webhook: one embed `{ title, description, color, url?, footer }` per notification,
 * cut to Discord's limits (title 256, description 4096, content 2000, at most 10 embeds,
 * 6000 characters across embeds). Mentions in the text are not expanded (`allowed_mentions`).
 * Discord answers 204 on success, 429 with `retry_after` when rate-limited.
 */
export const DISCORD_LIMITS = {
  content: 2000,
  title: 256,
  description: 4096,
  footer: 2048,
  embeds: 10,
} as const;

export const discordChannel: ChannelDriver<DiscordChannelConfig> = {
  async send(config, n, ctx) {
    const url = firstUrl(n);
    const embeds = [
      {
        title: truncate(displayTitle(n), DISCORD_LIMITS.title),
        description: truncate(n.text, DISCORD_LIMITS.description),
        color: colorOf(n),
        ...(url ? { url } : {}),
        footer: { text: truncate(n.source, 200) },
        timestamp: new Date().toISOString(),
      },
    ].slice(0, DISCORD_LIMITS.embeds);
    const payload = {
      embeds,
      allowed_mentions: { parse: [] },
      ...(config.username ? { username: config.username } : {}),
    };
    const res = await postJson(config.webhook_url, payload, {
      what: 'discord',
      signal: ctx.signal,
      secrets: discordSecrets(config),
    });
    return { detail: `HTTP ${res.status}` };
  },
  secrets: discordSecrets,
};

function discordSecrets(config: DiscordChannelConfig): string[] {
  return [config.webhook_url, ...urlPathSecrets(config.webhook_url)];
}
