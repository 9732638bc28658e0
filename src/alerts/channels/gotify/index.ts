import { displayTitle, firstUrl, priorityKey } from '../format.js';
import { joinUrl, postJson, urlSecrets } from '../http.js';
import type { ChannelDriver } from '../types.js';
import type { GotifyChannelConfig } from './schema.js';

export { type GotifyChannelConfig, gotifyChannelSchema } from './schema.js';

/**
 * Gotify: POST <url>/message `{ title, message, priority, extras }` with the app token in the
 * X-Gotify-Key header. `extras` marks the message plain text and, when an alert has a link,
 * makes the notification open it.
 */
export const gotifyChannel: ChannelDriver<GotifyChannelConfig> = {
  async send(config, n, ctx) {
    const click = firstUrl(n);
    const payload = {
      title: displayTitle(n),
      message: n.text || displayTitle(n),
      priority: config.priority[priorityKey(n)],
      extras: {
        'client::display': { contentType: 'text/plain' },
        ...(click ? { 'client::notification': { click: { url: click } } } : {}),
      },
    };
    const res = await postJson(joinUrl(config.url, 'message'), payload, {
      what: 'gotify',
      signal: ctx.signal,
      secrets: gotifySecrets(config),
      headers: { 'X-Gotify-Key': config.token },
    });
    return { detail: `HTTP ${res.status}` };
  },
  secrets: gotifySecrets,
};

function gotifySecrets(config: GotifyChannelConfig): string[] {
  return [config.token, ...urlSecrets(config.url)];
}
