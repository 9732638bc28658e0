import { createHmac } from 'node:crypto';
import { webhookBody } from '../format.js';
import { postBody, urlSecrets } from '../http.js';
import type { ChannelDriver } from '../types.js';
import type { WebhookChannelConfig } from './schema.js';

export type { WebhookBody } from '../format.js';
export { type WebhookChannelConfig, webhookChannelSchema } from './schema.js';

/**
 * Generic webhook: POSTs the notification as the documented JSON body (see `WebhookBody` in
 * `../format.ts`) with the headers
 *   content-type: application/json
 *   user-agent: steward
 *   X-Steward-Event: <kind>            (firing, repeat, escalation, acknowledged, resolved, test)
 *   X-Steward-Delivery: <notification id>   (retries reuse it)
 *   X-Steward-Signature: sha256=<hex>  (only with `secret`: HMAC-SHA256 of the exact body bytes)
 * Any 2xx answer is a delivery.
 */

/** The value of X-Steward-Signature for `body`: "sha256=" + hex HMAC-SHA256 keyed with `secret`. */
export function signBody(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

const SECRET_HEADER = /auth|token|key|secret|cookie|signature/i;

export const webhookChannel: ChannelDriver<WebhookChannelConfig> = {
  async send(config, notification, ctx) {
    const body = JSON.stringify(webhookBody(notification));
    const headers: Record<string, string> = {
      ...config.headers,
      'content-type': 'application/json',
      'user-agent': 'steward',
      'X-Steward-Event': notification.kind,
      'X-Steward-Delivery': notification.id,
    };
    if (config.secret) headers['X-Steward-Signature'] = signBody(config.secret, body);
    const res = await postBody(config.url, body, {
      what: 'webhook',
      signal: ctx.signal,
      secrets: webhookSecrets(config),
      headers,
    });
    return { detail: `HTTP ${res.status}` };
  },
  secrets: webhookSecrets,
};

function webhookSecrets(config: WebhookChannelConfig): string[] {
  const out = urlSecrets(config.url);
  if (config.secret) out.push(config.secret);
  for (const [name, value] of Object.entries(config.headers ?? {})) {
    if (SECRET_HEADER.test(name) && value) out.push(value);
  }
  return out;
}
