import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelContext, runChannelContract, sampleNotification } from '../contract.js';
import { httpFixture, jsonOf, type MimicServer, type RecordedRequest, startMimic } from '../test-peers.js';
import { gotifyChannel } from './index.js';
import { gotifyChannelSchema } from './schema.js';

// A mock of Gotify's message API (POST /message, X-Gotify-Key, the stored message back as JSON):
// no Gotify server is packaged or reachable here.
const TOKEN = 'AgotifyAppToken.9x';
const parse = (input: unknown) => gotifyChannelSchema({ baseDir: '/' }).parse(input);

const gotifyAnswer = (req: RecordedRequest) => {
  if (req.headers['x-gotify-key'] !== TOKEN) {
    return {
      status: 401,
      body: {
        error: 'Unauthorized',
        errorCode: 401,
        errorDescription: 'you need to provide a valid access token',
      },
    };
  }
  if (req.path !== '/gotify/message') return { status: 404, body: { error: 'Not Found', errorCode: 404 } };
  return {
    status: 200,
    body: { id: 1, appid: 1, date: new Date().toISOString(), ...(jsonOf(req) as object) },
  };
};

runChannelContract('gotify', gotifyChannel, () =>
  httpFixture({
    answer: gotifyAnswer,
    configFor: (base) => parse({ type: 'gotify', url: `${base}/gotify/`, token: TOKEN }),
    secrets: [TOKEN],
  }),
);

describe('gotify channel', () => {
  let gotify: MimicServer;
  beforeAll(async () => {
    gotify = await startMimic(gotifyAnswer);
  });
  afterAll(() => gotify.close());

  it('keeps the token out of the URL and maps priorities', async () => {
    const config = parse({
      type: 'gotify',
      url: `${gotify.url}/gotify`,
      token: TOKEN,
      priority: { resolved: 0 },
    });
    expect(config.priority).toEqual({ critical: 8, warning: 5, info: 3, resolved: 0 });
    gotify.drain();
    await gotifyChannel.send(config, sampleNotification('firing'), channelContext());
    await gotifyChannel.send(config, sampleNotification('resolved'), channelContext());
    const [firing, resolved] = gotify.drain();
    expect(firing?.path).toBe('/gotify/message');
    expect(firing?.path).not.toContain(TOKEN);
    expect(jsonOf(firing as RecordedRequest)).toMatchObject({
      priority: 8,
      extras: { 'client::display': { contentType: 'text/plain' } },
    });
    expect(jsonOf(resolved as RecordedRequest)).toMatchObject({ priority: 0 });
  });

  it('does not retry a wrong token', async () => {
    const config = parse({ type: 'gotify', url: gotify.url, token: 'wrong-token' });
    const err = await gotifyChannel
      .send(config, sampleNotification('firing'), channelContext())
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ChannelError', retryable: false });
    expect(() =>
      parse({ type: 'gotify', url: gotify.url, token: 't', priority: { critical: 11 } }),
    ).toThrow();
  });
});
