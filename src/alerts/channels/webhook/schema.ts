import { z } from 'zod';
import type { FieldContext } from '../../../config/fields.js';

export function webhookChannelSchema(_ctx: FieldContext) {
  return z
    .strictObject({
      type: z.literal('webhook').meta({ description: 'POST a JSON document to any HTTP endpoint.' }),
      url: z.url({ protocol: /^https?$/ }).meta({
        description: 'Endpoint the JSON document is POSTed to (http or https).',
      }),
      secret: z.string().min(1).optional().meta({
        description:
          'HMAC-SHA256 key: when set, each request carries "X-Steward-Signature: sha256=<hex>" over the exact body bytes (as GitHub webhooks do).',
      }),
      headers: z.record(z.string(), z.string()).optional().meta({
        description:
          'Extra request headers, e.g. an Authorization header the receiver expects. Values of headers named like auth/token/key/secret/cookie are treated as secrets.',
      }),
    })
    .meta({ description: 'A generic JSON webhook with an optional HMAC signature.' });
}

export type WebhookChannelConfig = z.output<ReturnType<typeof webhookChannelSchema>>;
