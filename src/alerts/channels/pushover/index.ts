import { displayTitle, firstUrl, priorityKey, truncate } from '../format.js';
import { channelError, joinUrl, postJson, urlSecrets } from '../http.js';
import type { ChannelDriver } from '../types.js';
import type { PushoverChannelConfig } from './schema.js';

export { type PushoverChannelConfig, pushoverChannelSchema } from './schema.js';

/**
 * Pushover: POST <api_url>/1/messages.json `{ token, user, title, message, priority, url? }`
 * (JSON), cut to Pushover's limits (title 250, message 1024, url 512). Pushover answers
 * `{ status: 1 }`, or 4xx `{ status: 0, errors: [...] }` for a bad token/user.
 */
export const PUSHOVER_LIMITS = { title: 250, message: 1024, url: 512 } as const;

export const pushoverChannel: ChannelDriver<PushoverChannelConfig> = {
  async send(config, n, ctx) {
    const url = firstUrl(n);
    const secrets = pushoverSecrets(config);
    const payload = {
      token: config.token,
      user: config.user,
      title: truncate(displayTitle(n), PUSHOVER_LIMITS.title),
      message: truncate(n.text || displayTitle(n), PUSHOVER_LIMITS.message),
      priority: config.priority[priorityKey(n)],
      ...(url && url.length <= PUSHOVER_LIMITS.url ? { url } : {}),
    };
    const res = await postJson(joinUrl(config.api_url, '1/messages.json'), payload, {
      what: 'pushover',
      signal: ctx.signal,
      secrets,
    });
    let status: unknown;
    try {
      status = (JSON.parse(res.body) as { status?: unknown }).status;
    } catch {
      status = undefined;
    }
    if (status !== 1) {
      throw channelError(
        `pushover: unexpected answer (HTTP ${res.status}): ${res.body.slice(0, 300)}`,
        true,
        secrets,
      );
    }
    return { detail: `HTTP ${res.status}` };
  },
  secrets: pushoverSecrets,
};

function pushoverSecrets(config: PushoverChannelConfig): string[] {
  return [config.token, config.user, ...urlSecrets(config.api_url)];
}
