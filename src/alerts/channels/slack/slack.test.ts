import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelContext, runChannelContract, sampleNotification } from '../contract.js';
import { httpFixture, jsonOf, type MimicServer, type RecordedRequest, startMimic } from '../test-peers.js';
import { ChannelError } from '../types.js';
import { slackChannel, slackEscape } from './index.js';
import { slackChannelSchema } from './schema.js';

// A mock of Slack's incoming-webhook endpoint (POST /services/T…/B…/<secret>, answers 200 "ok"):
// the public Slack API cannot be reached from here.
const HOOK_PATH = '/services/T0001/B0002/xoxSecretHookToken42';
const parse = (input: unknown) => slackChannelSchema({ baseDir: '/' }).parse(input);

const slackAnswer = (req: RecordedRequest) =>
  req.path !== HOOK_PATH
    ? { status: 404, body: 'no_service' }
    : typeof (jsonOf(req) as { text?: unknown }).text === 'string'
      ? { status: 200, body: 'ok' }
      : { status: 400, body: 'invalid_payload' };

runChannelContract('slack', slackChannel, () =>
  httpFixture({
    answer: slackAnswer,
    configFor: (base) => parse({ type: 'slack', webhook_url: `${base}${HOOK_PATH}` }),
    secrets: [HOOK_PATH, 'xoxSecretHookToken42'],
  }),
);

describe('slack channel', () => {
  let slack: MimicServer;
  beforeAll(async () => {
    slack = await startMimic(slackAnswer);
  });
  afterAll(() => slack.close());

  it('posts the title as text, the details in a coloured attachment', async () => {
    const config = parse({
      type: 'slack',
      webhook_url: `${slack.url}${HOOK_PATH}`,
      channel: '#ops',
      username: 'steward',
    });
    const n = { ...sampleNotification('firing'), text: 'load > 4 & rising <fast>' };
    slack.drain();
    expect(await slackChannel.send(config, n, channelContext())).toEqual({ detail: 'HTTP 200' });
    const body = jsonOf(slack.drain()[0] as RecordedRequest);
    expect(body).toMatchObject({
      text: n.title,
      channel: '#ops',
      username: 'steward',
      attachments: [{ color: '#d32f2f', text: 'load &gt; 4 &amp; rising &lt;fast&gt;', footer: 'home-lab' }],
    });
    expect(slackEscape('<@U123>')).toBe('&lt;@U123&gt;');
  });

  it('treats an unknown webhook (404 no_service) as not retryable, without leaking the URL', async () => {
    const config = parse({ type: 'slack', webhook_url: `${slack.url}/services/T0001/B0002/revokedToken99` });
    const err = await slackChannel
      .send(config, sampleNotification('firing'), channelContext())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelError);
    expect(err).toMatchObject({ retryable: false });
    expect((err as Error).message).toContain('no_service');
    expect((err as Error).message).not.toContain('revokedToken99');
    expect(slackChannel.secrets(config)).toContain(config.webhook_url);
  });
});
