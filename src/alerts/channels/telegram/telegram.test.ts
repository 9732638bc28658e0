import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelContext, runChannelContract, sampleNotification } from '../contract.js';
import { httpFixture, jsonOf, type MimicServer, type RecordedRequest, startMimic } from '../test-peers.js';
import { ChannelError } from '../types.js';
import { TELEGRAM_MAX_TEXT, telegramChannel } from './index.js';
import { type TelegramChannelConfig, telegramChannelSchema } from './schema.js';

// A mock of the Telegram Bot API's sendMessage (POST /bot<token>/sendMessage, {ok,result} or
// {ok:false,error_code,description}): api.telegram.org cannot be reached from here. Its error
// answers echo the request path, as a proxy's error page might, to prove the token is scrubbed.
const BOT_TOKEN = '123456789:AAHsecretTelegramBotToken_xyz';
const parse = (input: unknown) => telegramChannelSchema({ baseDir: '/' }).parse(input);

let forced: { status: number; description: string; retry_after?: number } | undefined;
const telegramAnswer = (req: RecordedRequest) => {
  if (forced) {
    const { status, description, retry_after } = forced;
    return {
      status,
      body: {
        ok: false,
        error_code: status,
        description: `${description} (${req.path})`,
        parameters: { retry_after },
      },
    };
  }
  if (req.path !== `/bot${BOT_TOKEN}/sendMessage`)
    return { status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } };
  const body = jsonOf(req) as { chat_id?: unknown; text?: string };
  if (body.chat_id !== -1001234)
    return { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: chat not found' } };
  return {
    status: 200,
    body: { ok: true, result: { message_id: 7, chat: { id: body.chat_id }, text: body.text } },
  };
};

runChannelContract('telegram', telegramChannel, () =>
  httpFixture({
    answer: telegramAnswer,
    configFor: (base) => parse({ type: 'telegram', bot_token: BOT_TOKEN, chat_id: -1001234, api_url: base }),
    secrets: [BOT_TOKEN, 'AAHsecretTelegramBotToken_xyz'],
  }),
);

describe('telegram channel', () => {
  let telegram: MimicServer;
  let config: TelegramChannelConfig;
  beforeAll(async () => {
    telegram = await startMimic(telegramAnswer);
    config = parse({
      type: 'telegram',
      bot_token: BOT_TOKEN,
      chat_id: -1001234,
      api_url: `${telegram.url}/`,
    });
  });
  afterAll(() => telegram.close());

  const failure = async (cfg = config) => {
    const err = await telegramChannel
      .send(cfg, sampleNotification('firing'), channelContext())
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelError);
    expect((err as Error).message).not.toContain('AAHsecretTelegramBotToken_xyz');
    return err as ChannelError;
  };

  it('sends plain text without a parse mode, cut to 4096 characters', async () => {
    telegram.drain();
    const n = {
      ...sampleNotification('test', 't1', 'Steward test'),
      text: '<b>*not* markup_</b>\n'.repeat(400),
    };
    await telegramChannel.send(config, n, channelContext());
    const body = jsonOf(telegram.drain()[0] as RecordedRequest) as Record<string, unknown>;
    expect(body.parse_mode).toBeUndefined();
    expect(body.disable_web_page_preview).toBe(true);
    expect(String(body.text).startsWith('[TEST] Steward test\n\n<b>*not* markup_</b>')).toBe(true);
    expect(String(body.text).length).toBe(TELEGRAM_MAX_TEXT);
  });

  it('retries flood control (429) and server errors, not a bad request', async () => {
    forced = { status: 429, description: 'Too Many Requests: retry after 3', retry_after: 3 };
    const flood = await failure();
    expect(flood.retryable).toBe(true);
    expect(flood.message).toContain('retry after 3s');
    forced = { status: 502, description: 'Bad Gateway' };
    expect((await failure()).retryable).toBe(true);
    forced = undefined;
    const bad = await failure({ ...config, chat_id: '@nosuchchannel' });
    expect(bad.retryable).toBe(false);
    expect(bad.message).toContain('chat not found');
  });

  it('defaults the API server and validates the token shape', () => {
    expect(parse({ type: 'telegram', bot_token: BOT_TOKEN, chat_id: '@ops' }).api_url).toBe(
      'https://api.telegram.org',
    );
    expect(() => parse({ type: 'telegram', bot_token: 'nope', chat_id: 1 })).toThrow(/bot token/);
  });
});
