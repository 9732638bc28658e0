import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelContext, runChannelContract, sampleNotification } from '../contract.js';
import {
  httpFixture,
  type MimicServer,
  type RecordedRequest,
  type Reply,
  startMimic,
} from '../test-peers.js';
import { ntfyChannel } from './index.js';
import { type NtfyChannelConfig, ntfyChannelSchema } from './schema.js';

// A mock of ntfy's publish API (POST /<topic>, text body, Title/Priority/Tags/Click headers,
// a JSON message back): no ntfy server can be reached or installed here.
const TOKEN = 'tk_secretntfytoken0123456789';
const parse = (input: unknown) => ntfyChannelSchema({ baseDir: '/' }).parse(input);

function ntfyAnswer(req: RecordedRequest): Reply {
  const auth = req.headers.authorization;
  if (auth !== `Bearer ${TOKEN}` && auth !== `Basic ${Buffer.from('ops:hunter2-pw').toString('base64')}`) {
    return { status: 401, body: { code: 40101, http: 401, error: 'unauthorized' } };
  }
  return {
    status: 200,
    body: { id: 'sPs71M8A2T', time: 1, event: 'message', topic: req.path.slice(1), message: req.body },
  };
}

const view = (r: RecordedRequest) => ({
  path: r.path,
  title: decodeTitle(String(r.headers.title)),
  priority: r.headers.priority,
  tags: r.headers.tags,
  click: r.headers.click,
  body: r.body,
});

function decodeTitle(value: string): string {
  const m = /^=\?UTF-8\?B\?(.*)\?=$/.exec(value);
  return m?.[1] ? Buffer.from(m[1], 'base64').toString('utf8') : value;
}

runChannelContract('ntfy', ntfyChannel, () =>
  httpFixture({
    answer: ntfyAnswer,
    configFor: (base) => parse({ type: 'ntfy', url: `${base}/steward-alerts`, token: TOKEN }),
    view,
    secrets: [TOKEN],
  }),
);

describe('ntfy channel', () => {
  let ntfy: MimicServer;
  let config: NtfyChannelConfig;
  beforeAll(async () => {
    ntfy = await startMimic(ntfyAnswer);
    config = parse({ type: 'ntfy', url: `${ntfy.url}/alerts`, token: TOKEN });
  });
  afterAll(() => ntfy.close());

  const sendOne = async (n = sampleNotification('firing'), cfg = config) => {
    ntfy.drain();
    await ntfyChannel.send(cfg, n, channelContext());
    const got = ntfy.drain().map(view);
    expect(got).toHaveLength(1);
    return got[0];
  };

  it('maps severity to priority and tags, and links the alert', async () => {
    const n = sampleNotification('firing', 'tag1');
    expect(await sendOne(n)).toMatchObject({
      path: '/alerts',
      title: n.title,
      priority: '5',
      tags: 'rotating_light',
      click: n.alerts[0]?.url,
      body: n.text,
    });
    expect(await sendOne(sampleNotification('resolved'))).toMatchObject({
      priority: '2',
      tags: 'white_check_mark',
    });
    expect(await sendOne(sampleNotification('test'))).toMatchObject({ tags: 'test_tube' });
  });

  it('takes priority overrides', async () => {
    const cfg = parse({ type: 'ntfy', url: `${ntfy.url}/alerts`, token: TOKEN, priority: { critical: 4 } });
    expect(cfg.priority).toEqual({ critical: 4, warning: 4, info: 3, resolved: 2 });
    expect(await sendOne(sampleNotification('firing'), cfg)).toMatchObject({ priority: '4' });
  });

  it('encodes a non-ASCII title and authenticates with username/password', async () => {
    const cfg = parse({ type: 'ntfy', url: `${ntfy.url}/alerts`, username: 'ops', password: 'hunter2-pw' });
    const n = { ...sampleNotification('firing'), title: 'Disk almost full — 97 % on “nas” 🚨' };
    expect((await sendOne(n, cfg))?.title).toBe(n.title);
    expect(ntfyChannel.secrets(cfg)).toContain('hunter2-pw');
  });

  it('does not retry a rejected token', async () => {
    const err = await ntfyChannel
      .send({ ...config, token: 'wrong' }, sampleNotification('firing'), channelContext())
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ChannelError', retryable: false });
  });

  it('validates auth fields', () => {
    expect(() => parse({ type: 'ntfy', url: 'https://ntfy.sh/x', username: 'a' })).toThrow(/go together/);
    expect(() =>
      parse({ type: 'ntfy', url: 'https://ntfy.sh/x', token: 't', username: 'a', password: 'b' }),
    ).toThrow(/either token/);
  });
});
