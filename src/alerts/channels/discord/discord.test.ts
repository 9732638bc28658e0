import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelContext, runChannelContract, sampleNotification } from '../contract.js';
import { httpFixture, jsonOf, type MimicServer, type RecordedRequest, startMimic } from '../test-peers.js';
import { DISCORD_LIMITS, discordChannel } from './index.js';
import { discordChannelSchema } from './schema.js';

// A mock of Discord's execute-webhook endpoint (POST /api/webhooks/<id>/<token>, 204 on success,
// 429 with retry_after when rate-limited): the public Discord API cannot be reached from here.
const HOOK_PATH = '/api/webhooks/112233445566/dIsCoRdSeCrEtToKeN_abc123';
const parse = (input: unknown) => discordChannelSchema({ baseDir: '/' }).parse(input);

let rateLimited = false;
const discordAnswer = (req: RecordedRequest) => {
  if (rateLimited)
    return { status: 429, body: { message: 'You are being rate limited.', retry_after: 0.5, global: false } };
  const body = jsonOf(req) as { content?: string; embeds?: { description?: string }[] };
  if (req.path !== HOOK_PATH) return { status: 401, body: { message: 'Invalid Webhook Token', code: 50027 } };
  if (!body.content && !body.embeds?.length)
    return { status: 400, body: { message: 'Cannot send an empty message' } };
  return { status: 204, body: '' };
};

runChannelContract('discord', discordChannel, () =>
  httpFixture({
    answer: discordAnswer,
    configFor: (base) => parse({ type: 'discord', webhook_url: `${base}${HOOK_PATH}` }),
    secrets: ['dIsCoRdSeCrEtToKeN_abc123'],
  }),
);

describe('discord channel', () => {
  let discord: MimicServer;
  beforeAll(async () => {
    discord = await startMimic(discordAnswer);
  });
  afterAll(() => discord.close());
  const config = () =>
    parse({ type: 'discord', webhook_url: `${discord.url}${HOOK_PATH}`, username: 'Steward' });

  it('sends one embed with colour and link, cut to Discord limits', async () => {
    const n = { ...sampleNotification('resolved'), title: 'T'.repeat(400), text: 'x'.repeat(5000) };
    discord.drain();
    await discordChannel.send(config(), n, channelContext());
    const body = jsonOf(discord.drain()[0] as RecordedRequest) as {
      username: string;
      embeds: { title: string; description: string; color: number; url: string }[];
    };
    expect(body.username).toBe('Steward');
    expect(body.embeds).toHaveLength(1);
    const [embed] = body.embeds;
    expect(embed?.title.length).toBe(DISCORD_LIMITS.title);
    expect(embed?.description.length).toBe(DISCORD_LIMITS.description);
    expect(embed?.description.endsWith('…')).toBe(true);
    expect(embed?.color).toBe(0x2e7d32);
    expect(embed?.url).toBe(n.alerts[0]?.url);
  });

  it('retries when rate-limited (429)', async () => {
    rateLimited = true;
    const err = await discordChannel
      .send(config(), sampleNotification('firing'), channelContext())
      .catch((e: unknown) => e);
    rateLimited = false;
    expect(err).toMatchObject({ name: 'ChannelError', retryable: true });
    expect((err as Error).message).toContain('HTTP 429');
  });
});
