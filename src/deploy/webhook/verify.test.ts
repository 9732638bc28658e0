import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StewardError } from '../../core/errors.js';
import { verifyWebhook, type WebhookRequest } from './verify.js';

// GitHub's documented test vector (docs: "Validating webhook deliveries").
const ghSecret = "It's a Secret to Everybody";
const ghBody = Buffer.from('Hello, World!');
const ghSignature = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

const req = (headers: WebhookRequest['headers'], rawBody = ghBody): WebhookRequest => ({ headers, rawBody });
const flipped = (buf: Buffer, at = 3) => {
  const copy = Buffer.from(buf);
  copy[at] = (copy[at] ?? 0) ^ 0x01;
  return copy;
};

describe('verifyWebhook: github', () => {
  it("passes GitHub's documented test vector and reports delivery and event", () => {
    const r = verifyWebhook(
      'github',
      ghSecret,
      req({ 'x-hub-signature-256': ghSignature, 'x-github-delivery': 'd-1', 'x-github-event': 'push' }),
    );
    expect(r).toEqual({ ok: true, deliveryId: 'd-1', event: 'push' });
  });

  it('accepts header names in any case, and upper-case hex', () => {
    const r = verifyWebhook(
      'github',
      ghSecret,
      req({
        'X-Hub-Signature-256': `sha256=${ghSignature.slice(7).toUpperCase()}`,
        'X-GitHub-Event': 'push',
      }),
    );
    expect(r).toEqual({ ok: true, deliveryId: null, event: 'push' });
  });

  it('rejects one flipped byte in the body, a wrong secret, and a flipped signature bit', () => {
    expect(
      verifyWebhook('github', ghSecret, req({ 'x-hub-signature-256': ghSignature }, flipped(ghBody))),
    ).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    expect(verifyWebhook('github', `${ghSecret}!`, req({ 'x-hub-signature-256': ghSignature })).ok).toBe(
      false,
    );
    const badSig = `${ghSignature.slice(0, -1)}${ghSignature.endsWith('7') ? '6' : '7'}`;
    expect(verifyWebhook('github', ghSecret, req({ 'x-hub-signature-256': badSig }))).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('tells a missing signature from a malformed one', () => {
    expect(verifyWebhook('github', ghSecret, req({ 'x-github-event': 'push' }))).toEqual({
      ok: false,
      reason: 'missing-signature',
    });
    expect(verifyWebhook('github', ghSecret, req({ 'x-hub-signature-256': '' })).ok).toBe(false);
    for (const bad of [
      ghSignature.slice(0, -2), // too short
      `${ghSignature}00`, // too long
      `sha256=${'z'.repeat(64)}`, // not hex
      ghSignature.slice(7), // no prefix
      `sha1=${'a'.repeat(40)}`, // the old header's scheme
      [ghSignature, ghSignature], // sent twice
    ]) {
      expect(verifyWebhook('github', ghSecret, req({ 'x-hub-signature-256': bad }))).toEqual({
        ok: false,
        reason: 'malformed-signature',
      });
    }
  });

  it('refuses to verify with an empty secret', () => {
    expect(() => verifyWebhook('github', '', req({ 'x-hub-signature-256': ghSignature }))).toThrow(
      StewardError,
    );
  });
});

describe('verifyWebhook: gitea', () => {
  const secret = 'gitea-shared-secret-123';
  const body = Buffer.from(JSON.stringify({ ref: 'refs/heads/main' }));
  const sig = createHmac('sha256', secret).update(body).digest('hex');

  it('verifies the bare hex HMAC and reads delivery and event', () => {
    expect(
      verifyWebhook(
        'gitea',
        secret,
        req({ 'x-gitea-signature': sig, 'x-gitea-delivery': 'g-7', 'x-gitea-event': 'push' }, body),
      ),
    ).toEqual({ ok: true, deliveryId: 'g-7', event: 'push' });
  });

  it('rejects a changed body, a missing header and malformed hex', () => {
    expect(verifyWebhook('gitea', secret, req({ 'x-gitea-signature': sig }, flipped(body))).ok).toBe(false);
    expect(verifyWebhook('gitea', secret, req({ 'x-gitea-signature': sig }, flipped(body)))).toMatchObject({
      reason: 'bad-signature',
    });
    // GitHub's header does not count for Gitea.
    expect(
      verifyWebhook('gitea', secret, req({ 'x-hub-signature-256': `sha256=${sig}` }, body)),
    ).toMatchObject({
      reason: 'missing-signature',
    });
    for (const bad of [`sha256=${sig}`, sig.slice(1), `${sig.slice(0, -1)}g`]) {
      expect(verifyWebhook('gitea', secret, req({ 'x-gitea-signature': bad }, body))).toMatchObject({
        reason: 'malformed-signature',
      });
    }
  });
});

describe('verifyWebhook: gitlab', () => {
  const secret = 'gitlab-token-abcdef';
  const body = Buffer.from('{"object_kind":"push"}');

  it('compares the token and reads the event UUID (or Idempotency-Key) and event', () => {
    const base = { 'x-gitlab-token': secret, 'x-gitlab-event': 'Push Hook' };
    expect(verifyWebhook('gitlab', secret, req({ ...base, 'x-gitlab-event-uuid': 'u-1' }, body))).toEqual({
      ok: true,
      deliveryId: 'u-1',
      event: 'Push Hook',
    });
    expect(verifyWebhook('gitlab', secret, req({ ...base, 'Idempotency-Key': 'k-2' }, body))).toMatchObject({
      deliveryId: 'k-2',
    });
  });

  it('rejects a wrong token of any length, and a missing one', () => {
    for (const wrong of [`${secret}x`, secret.slice(1), 'x', secret.toUpperCase()]) {
      expect(verifyWebhook('gitlab', secret, req({ 'x-gitlab-token': wrong }, body))).toEqual({
        ok: false,
        reason: 'bad-signature',
      });
    }
    expect(verifyWebhook('gitlab', secret, req({}, body))).toEqual({
      ok: false,
      reason: 'missing-signature',
    });
    expect(verifyWebhook('gitlab', secret, req({ 'x-gitlab-token': [secret, 'other'] }, body))).toMatchObject(
      {
        reason: 'malformed-signature',
      },
    );
  });
});
