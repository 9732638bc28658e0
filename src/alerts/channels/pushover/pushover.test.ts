import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelContext, runChannelContract, sampleNotification } from '../contract.js';
import { httpFixture, jsonOf, type MimicServer, type RecordedRequest, startMimic } from '../test-peers.js';
import { PUSHOVER_LIMITS, pushoverChannel } from './index.js';
import { pushoverChannelSchema } from './schema.js';

// A mock of Pushover's message API (POST /1/messages.json, {status:1,request} or 4xx
// {status:0,errors}): api.pushover.net cannot be reached from here.
const TOKEN = 'azGDORePK8gMaC0QOYAMyEEuzJnyUi';
const USER = 'uQiRzpo4DXghDmr9QzzfQu27cmVRsG';
const parse = (input: unknown) => pushoverChannelSchema({ baseDir: '/' }).parse(input);

const pushoverAnswer = (req: RecordedRequest) => {
  const body = jsonOf(req) as Record<string, unknown>;
  if (req.path !== '/1/messages.json') return { status: 404, body: { status: 0, errors: ['not found'] } };
  if (body.token !== TOKEN) {
    return {
      status: 400,
      body: { token: 'invalid', errors: ['application token is invalid'], status: 0, request: 'r1' },
    };
  }
  if (body.user !== USER)
    return { status: 400, body: { user: 'invalid', errors: ['user identifier is invalid'], status: 0 } };
  return { status: 200, body: { status: 1, request: '647d2300-702c-4b38-8b2f-d56326ae460b' } };
};

runChannelContract('pushover', pushoverChannel, () =>
  httpFixture({
    answer: pushoverAnswer,
    configFor: (base) => parse({ type: 'pushover', token: TOKEN, user: USER, api_url: base }),
    secrets: [TOKEN, USER],
  }),
);

describe('pushover channel', () => {
  let pushover: MimicServer;
  beforeAll(async () => {
    pushover = await startMimic(pushoverAnswer);
  });
  afterAll(() => pushover.close());

  it('maps priorities, links the alert and keeps to the limits', async () => {
    const config = parse({ type: 'pushover', token: TOKEN, user: USER, api_url: pushover.url });
    expect(config.priority).toEqual({ critical: 1, warning: 0, info: 0, resolved: -1 });
    pushover.drain();
    const n = { ...sampleNotification('firing'), text: 'y'.repeat(3000) };
    await pushoverChannel.send(config, n, channelContext());
    await pushoverChannel.send(config, sampleNotification('resolved'), channelContext());
    const [firing, resolved] = pushover.drain().map(jsonOf) as Record<string, unknown>[];
    expect(firing).toMatchObject({ priority: 1, url: n.alerts[0]?.url, title: n.title });
    expect(String(firing?.message).length).toBe(PUSHOVER_LIMITS.message);
    expect(resolved).toMatchObject({ priority: -1 });
  });

  it('does not retry an invalid user key, and keeps the token out of the message', async () => {
    const config = parse({ type: 'pushover', token: TOKEN, user: 'wrong-user-key', api_url: pushover.url });
    const err = await pushoverChannel
      .send(config, sampleNotification('firing'), channelContext())
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ChannelError', retryable: false });
    expect((err as Error).message).toContain('user identifier is invalid');
    expect(() => parse({ type: 'pushover', token: 't', user: 'u', priority: { critical: 2 } })).toThrow();
  });
});
