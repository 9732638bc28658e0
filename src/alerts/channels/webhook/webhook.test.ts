import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelContext, runChannelContract, sampleNotification } from '../contract.js';
import { httpFixture, type MimicServer, type RecordedRequest, startMimic } from '../test-peers.js';
import { ChannelError } from '../types.js';
import { signBody, webhookChannel } from './index.js';
import { type WebhookChannelConfig, webhookChannelSchema } from './schema.js';

const parse = (input: unknown) => webhookChannelSchema({ baseDir: '/' }).parse(input);
const SECRET = 'whsec-0123456789abcdef';
const TOKEN = 'Bearer api-token-5f4dcc3b';

runChannelContract('webhook', webhookChannel, () =>
  httpFixture({
    answer: () => ({ status: 204, body: '' }),
    configFor: (base) =>
      parse({ type: 'webhook', url: `${base}/hook`, secret: SECRET, headers: { Authorization: TOKEN } }),
    secrets: [SECRET, TOKEN],
  }),
);

describe('webhook channel', () => {
  let mimic: MimicServer;
  let config: WebhookChannelConfig;
  let status = 200;
  beforeAll(async () => {
    mimic = await startMimic(() => ({ status, body: 'thanks' }));
    config = parse({
      type: 'webhook',
      url: `${mimic.url}/hook`,
      secret: SECRET,
      headers: { 'X-Extra': 'yes' },
    });
  });
  afterAll(() => mimic.close());

  const sendOne = async (cfg: WebhookChannelConfig = config): Promise<RecordedRequest> => {
    mimic.drain();
    await webhookChannel.send(cfg, sampleNotification('firing', 'abc'), channelContext());
    const [req, ...rest] = mimic.drain();
    expect(rest).toEqual([]);
    if (!req) throw new Error('nothing received');
    return req;
  };

  it('signs the exact body bytes with HMAC-SHA256 (GitHub convention)', async () => {
    const req = await sendOne();
    const header = String(req.headers['x-steward-signature']);
    expect(header).toMatch(/^sha256=[0-9a-f]{64}$/);
    const expected = Buffer.from(`sha256=${createHmac('sha256', SECRET).update(req.raw).digest('hex')}`);
    expect(timingSafeEqual(Buffer.from(header), expected)).toBe(true);
    expect(signBody(SECRET, req.raw)).toBe(header);
  });

  it('sends the documented body and headers', async () => {
    const n = sampleNotification('firing', 'abc');
    const req = await sendOne();
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/hook');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['user-agent']).toBe('steward');
    expect(req.headers['x-steward-event']).toBe('firing');
    expect(req.headers['x-steward-delivery']).toBe(n.id);
    expect(req.headers['x-extra']).toBe('yes');
    const body = JSON.parse(req.body) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual([
      'version',
      'kind',
      'id',
      'groupKey',
      'source',
      'title',
      'text',
      'alerts',
    ]);
    expect(body).toMatchObject({
      version: 1,
      kind: 'firing',
      id: n.id,
      groupKey: n.groupKey,
      source: 'home-lab',
    });
    expect(body.alerts).toHaveLength(2);
  });

  it('sends no signature without a secret', async () => {
    const req = await sendOne({ ...config, secret: undefined });
    expect(req.headers['x-steward-signature']).toBeUndefined();
  });

  it('does not retry a 4xx other than 408/429', async () => {
    for (const [code, retryable] of [
      [400, false],
      [404, false],
      [408, true],
      [429, true],
      [503, true],
    ] as const) {
      status = code;
      const err = await webhookChannel
        .send(config, sampleNotification('firing'), channelContext())
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ChannelError);
      expect((err as ChannelError).retryable, `HTTP ${code}`).toBe(retryable);
      expect((err as ChannelError).message).toContain(`HTTP ${code}`);
    }
    status = 200;
  });

  it('accepts only http(s) URLs', () => {
    expect(() => parse({ type: 'webhook', url: 'ftp://x/y' })).toThrow();
    expect(() => parse({ type: 'webhook', url: 'http://x/y', name: 'n' })).toThrow();
  });
});
