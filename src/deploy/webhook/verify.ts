import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { StewardError } from '../../core/errors.js';

export type WebhookProvider = 'github' | 'gitea' | 'gitlab';

export interface WebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
}

export type VerifyResult =
  | { ok: true; deliveryId: string | null; event: string | null }
  | { ok: false; reason: 'missing-signature' | 'bad-signature' | 'malformed-signature' };

/** A header that was sent more than once: ambiguous, so never trusted as a signature. */
const ambiguous = Symbol('ambiguous');

/** Case-insensitive lookup (node lowercases names, other callers may not); '' counts as absent. */
function headerValue(headers: WebhookRequest['headers'], name: string): string | null | typeof ambiguous {
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    values.push(...(Array.isArray(value) ? value : [value]));
  }
  const present = values.map((v) => v.trim()).filter((v) => v !== '');
  if (present.length > 1) return ambiguous;
  return present[0] ?? null;
}

function plainHeader(headers: WebhookRequest['headers'], ...names: string[]): string | null {
  for (const name of names) {
    const v = headerValue(headers, name);
    if (typeof v === 'string') return v.slice(0, 200);
  }
  return null;
}

const providers = {
  github: {
    signature: 'x-hub-signature-256',
    prefix: 'sha256=',
    delivery: ['x-github-delivery'],
    event: 'x-github-event',
  },
  gitea: {
    signature: 'x-gitea-signature',
    prefix: '',
    delivery: ['x-gitea-delivery'],
    event: 'x-gitea-event',
  },
  gitlab: {
    signature: 'x-gitlab-token',
    prefix: null,
    delivery: ['x-gitlab-event-uuid', 'idempotency-key'],
    event: 'x-gitlab-event',
  },
} as const satisfies Record<
  WebhookProvider,
  { signature: string; prefix: string | null; delivery: readonly string[]; event: string }
>;

/** Equal-length buffers compared in constant time. */
function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest();

/**
 * Checks that a push webhook comes from whoever holds `secret`: GitHub and Gitea sign the raw
 * body with HMAC-SHA256; GitLab sends the secret itself as a token. Pure: no clock, no state
 * (replays are the caller's to refuse, by delivery id).
 */
export function verifyWebhook(provider: WebhookProvider, secret: string, req: WebhookRequest): VerifyResult {
  if (secret === '') {
    // An empty key would make every signature forgeable; refusing loudly beats rejecting silently.
    throw new StewardError('E_CONFIG', 'the webhook secret is empty', { hint: 'set deploy.webhook.secret' });
  }
  const p = providers[provider];
  const raw = headerValue(req.headers, p.signature);
  if (raw === null) return { ok: false, reason: 'missing-signature' };
  if (raw === ambiguous) return { ok: false, reason: 'malformed-signature' };

  let valid: boolean;
  if (p.prefix === null) {
    // A token, not a MAC: hashing both sides gives equal lengths, so the length of the secret does not leak.
    valid = timingSafeEqual(sha256(raw), sha256(secret));
  } else {
    if (!raw.toLowerCase().startsWith(p.prefix)) return { ok: false, reason: 'malformed-signature' };
    const hex = raw.slice(p.prefix.length);
    if (!/^[0-9a-fA-F]{64}$/.test(hex)) return { ok: false, reason: 'malformed-signature' };
    const expected = createHmac('sha256', secret).update(req.rawBody).digest();
    valid = sameBytes(Buffer.from(hex, 'hex'), expected);
  }
  if (!valid) return { ok: false, reason: 'bad-signature' };
  return {
    ok: true,
    deliveryId: plainHeader(req.headers, ...p.delivery),
    event: plainHeader(req.headers, p.event),
  };
}
