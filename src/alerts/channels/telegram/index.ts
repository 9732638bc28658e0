import { plainMessage, truncate } from '../format.js';
import { channelError, httpRequest, joinUrl, statusError, urlSecrets } from '../http.js';
import type { ChannelDriver } from '../types.js';
import type { TelegramChannelConfig } from './schema.js';

export { type TelegramChannelConfig, telegramChannelSchema } from './schema.js';

/**
 * Telegram Bot API: POST <api_url>/bot<token>/sendMessage `{ chat_id, text,
 * disable_web_page_preview }`, plain text (no parse_mode: nothing to escape), at most 4096
 * characters. Telegram answers `{ ok: true, result }` or `{ ok: false, error_code,
 * description }`; 429 (flood control) and 5xx are retried. The token is part of the URL, so
 * every error message is scrubbed of it.
 */
export const TELEGRAM_MAX_TEXT = 4096;

interface TelegramAnswer {
  ok?: boolean;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number };
}

export const telegramChannel: ChannelDriver<TelegramChannelConfig> = {
  async send(config, n, ctx) {
    const secrets = telegramSecrets(config);
    const res = await httpRequest({
      url: joinUrl(config.api_url, `bot${config.bot_token}/sendMessage`),
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        chat_id: config.chat_id,
        text: truncate(plainMessage(n), TELEGRAM_MAX_TEXT),
        disable_web_page_preview: true,
      }),
      signal: ctx.signal,
      secrets,
      what: 'telegram',
    });
    let answer: TelegramAnswer = {};
    try {
      answer = JSON.parse(res.body) as TelegramAnswer;
    } catch {
      // not JSON (a proxy's error page): reported by status below
    }
    if (res.status >= 200 && res.status < 300 && answer.ok === true) return { detail: `HTTP ${res.status}` };
    const retryAfter = answer.parameters?.retry_after;
    const detail = answer.description
      ? `${answer.description}${retryAfter !== undefined ? ` (retry after ${retryAfter}s)` : ''}`
      : res.body;
    if (res.status >= 200 && res.status < 300) {
      throw channelError(
        `telegram: unexpected answer (HTTP ${res.status}): ${detail.slice(0, 300)}`,
        true,
        secrets,
      );
    }
    throw statusError('telegram', res, secrets, detail);
  },
  secrets: telegramSecrets,
};

function telegramSecrets(config: TelegramChannelConfig): string[] {
  const secret = config.bot_token.split(':')[1] ?? '';
  return [
    config.bot_token,
    `bot${config.bot_token}`,
    ...(secret.length >= 8 ? [secret] : []),
    ...urlSecrets(config.api_url),
  ];
}
