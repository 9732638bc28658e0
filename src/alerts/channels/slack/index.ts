import { colorOf, displayTitle, truncate } from '../format.js';
import { postJson, urlPathSecrets } from '../http.js';
import type { ChannelDriver } from '../types.js';
import type { SlackChannelConfig } from './schema.js';

export { type SlackChannelConfig, slackChannelSchema } from './schema.js';

/**
 * Slack incoming webhook: `{ text, attachments: [{ color, text, footer }] }`. The text is plain;
 * the three characters Slack treats as markup (& < >) are escaped as Slack documents. Slack
 * answers 200 "ok", or 4xx with a reason ("invalid_payload", "no_service", …).
 */

/** Escapes &, < and > as Slack's message formatting requires. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export const slackChannel: ChannelDriver<SlackChannelConfig> = {
  async send(config, n, ctx) {
    const payload = {
      text: slackEscape(truncate(displayTitle(n), 3000)),
      attachments: [
        {
          color: `#${colorOf(n).toString(16).padStart(6, '0')}`,
          text: slackEscape(truncate(n.text, 30_000)),
          footer: slackEscape(n.source),
          ts: Math.floor(Date.now() / 1000),
        },
      ],
      ...(config.channel ? { channel: config.channel } : {}),
      ...(config.username ? { username: config.username } : {}),
    };
    const res = await postJson(config.webhook_url, payload, {
      what: 'slack',
      signal: ctx.signal,
      secrets: slackSecrets(config),
    });
    return { detail: `HTTP ${res.status}` };
  },
  secrets: slackSecrets,
};

function slackSecrets(config: SlackChannelConfig): string[] {
  return [config.webhook_url, ...urlPathSecrets(config.webhook_url)];
}
