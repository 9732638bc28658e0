import { displayTitle, firstUrl, priorityKey, truncate, worstSeverity } from '../format.js';
import { basicAuth, postBody, urlSecrets } from '../http.js';
import type { ChannelDriver, Notification } from '../types.js';
import type { NtfyChannelConfig } from './schema.js';

export { type NtfyChannelConfig, ntfyChannelSchema } from './schema.js';

/**
 * ntfy publish API: POST <server>/<topic> with the message as the plain-text body and the
 * Title/Priority/Tags/Click headers (https://docs.ntfy.sh/publish/). Header values are ASCII;
 * a title with other characters is sent RFC 2047-encoded, which ntfy decodes.
 */

/** ntfy turns bodies over 4096 bytes into attachments; stay well below. */
const MAX_MESSAGE = 3500;

export function ntfyTag(n: Notification): string {
  switch (n.kind) {
    case 'test':
      return 'test_tube';
    case 'resolved':
      return 'white_check_mark';
    case 'acknowledged':
      return 'eyes';
    default:
      return { critical: 'rotating_light', warning: 'warning', info: 'information_source' }[
        worstSeverity(n.alerts)
      ];
  }
}

/** A header value: one line, RFC 2047 base64 encoded-word when not plain ASCII. */
export function headerValue(text: string): string {
  const line = text.replace(/[\r\n]+/g, ' ').trim();
  if (/^[\x20-\x7e]*$/.test(line)) return line;
  return `=?UTF-8?B?${Buffer.from(line, 'utf8').toString('base64')}?=`;
}

export const ntfyChannel: ChannelDriver<NtfyChannelConfig> = {
  async send(config, n, ctx) {
    const headers: Record<string, string> = {
      'content-type': 'text/plain; charset=utf-8',
      Title: headerValue(truncate(displayTitle(n), 250)),
      Priority: String(config.priority[priorityKey(n)]),
      Tags: ntfyTag(n),
    };
    const click = firstUrl(n);
    if (click) headers.Click = click;
    if (config.token) headers.Authorization = `Bearer ${config.token}`;
    else if (config.username && config.password)
      headers.Authorization = basicAuth(config.username, config.password);
    const res = await postBody(config.url, truncate(n.text || displayTitle(n), MAX_MESSAGE), {
      what: 'ntfy',
      signal: ctx.signal,
      secrets: ntfySecrets(config),
      headers,
    });
    return { detail: `HTTP ${res.status}` };
  },
  secrets: ntfySecrets,
};

function ntfySecrets(config: NtfyChannelConfig): string[] {
  const out = urlSecrets(config.url);
  if (config.token) out.push(config.token);
  if (config.password) out.push(config.password);
  if (config.username && config.password) out.push(basicAuth(config.username, config.password).slice(6));
  return out;
}
