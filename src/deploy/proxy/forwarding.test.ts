import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SwitchProxy, startSwitchProxy } from './index.js';
import {
  type ColourServer,
  deadPort,
  openUpgrade,
  readUntil,
  request,
  startColourServer,
  waitUntil,
} from './test-support.js';

let blue: ColourServer;
let proxy: SwitchProxy;
const warnings: string[] = [];

beforeAll(async () => {
  blue = await startColourServer('blue');
  proxy = await startSwitchProxy({
    listen: { host: '127.0.0.1', port: 0 },
    upstream: { host: '127.0.0.1', port: blue.port },
    logger: { warn: (_obj, msg) => warnings.push(msg) },
  });
});

afterAll(async () => {
  await proxy?.close();
  await blue?.close();
});

describe('switch proxy: forwarding', () => {
  it('binds where told and reports its upstream', () => {
    expect(proxy.address.host).toBe('127.0.0.1');
    expect(proxy.address.port).toBeGreaterThan(0);
    expect(proxy.upstream).toEqual({ host: '127.0.0.1', port: blue.port });
  });

  it('keeps method, path, query and end-to-end headers; adds X-Forwarded-*; strips hop-by-hop', async () => {
    const reply = await request(proxy.address.port, {
      path: '/headers?a=1&b=two',
      method: 'PUT',
      headers: {
        host: 'app.example.test',
        'x-custom': 'kept',
        connection: 'keep-alive, x-drop-me',
        'x-drop-me': 'gone',
        'proxy-connection': 'keep-alive',
        te: 'trailers',
        'content-length': '0',
      },
    });
    expect(reply.status).toBe(200);
    expect(reply.headers['x-colour']).toBe('blue');
    const seen = JSON.parse(reply.body.toString()) as {
      method: string;
      url: string;
      headers: Record<string, string>;
    };
    expect(seen.method).toBe('PUT');
    expect(seen.url).toBe('/headers?a=1&b=two');
    expect(seen.headers.host).toBe('app.example.test');
    expect(seen.headers['x-custom']).toBe('kept');
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    expect(seen.headers['x-forwarded-host']).toBe('app.example.test');
    for (const gone of ['x-drop-me', 'proxy-connection', 'te', 'upgrade']) {
      expect(seen.headers[gone]).toBeUndefined();
    }
  });

  it('appends to an X-Forwarded-For that is already there', async () => {
    const reply = await request(proxy.address.port, {
      path: '/headers',
      headers: { 'x-forwarded-for': '10.0.0.7', 'x-forwarded-proto': 'https' },
    });
    const seen = JSON.parse(reply.body.toString()) as { headers: Record<string, string> };
    expect(seen.headers['x-forwarded-for']).toBe('10.0.0.7, 127.0.0.1');
    expect(seen.headers['x-forwarded-proto']).toBe('https');
  });

  it('streams a 5 MB chunked request body and its echo intact', async () => {
    const chunks = Array.from({ length: 80 }, () => randomBytes(64 * 1024));
    const sent = createHash('sha256');
    for (const c of chunks) sent.update(c);
    const reply = await request(proxy.address.port, {
      path: '/echo',
      method: 'POST',
      body: Readable.from(chunks),
    });
    expect(reply.status).toBe(200);
    expect(reply.body.length).toBe(80 * 64 * 1024);
    expect(createHash('sha256').update(reply.body).digest('hex')).toBe(sent.digest('hex'));
  });

  it('echoes a body sent with Content-Length', async () => {
    const body = randomBytes(300_000);
    const reply = await request(proxy.address.port, { path: '/echo', method: 'POST', body });
    expect(reply.body.equals(body)).toBe(true);
  });

  it('passes a slow response on as it comes (first chunk before the upstream finished)', async () => {
    let finishedAtBlue = false;
    const onFinished = (): void => {
      finishedAtBlue = true;
    };
    blue.events.on('slow-finished', onFinished);
    let finishedWhenFirstChunkArrived: boolean | undefined;
    const reply = await request(proxy.address.port, {
      path: '/slow',
      onResponse: (res) =>
        res.once('data', () => {
          finishedWhenFirstChunkArrived = finishedAtBlue;
        }),
    });
    blue.events.off('slow-finished', onFinished);
    expect(reply.body.toString()).toBe('blue-0\nblue-1\nblue-2\nblue-3\nblue-4\nblue-5\n');
    expect(finishedWhenFirstChunkArrived).toBe(false);
  });

  it('tunnels an Upgrade request, echoes bytes both ways and counts the tunnel in flight', async () => {
    const before = proxy.stats().upgrades;
    const { socket, head, rest } = await openUpgrade(proxy.address.port, 'early');
    try {
      expect(head).toMatch(/^HTTP\/1\.1 101 /);
      // Bytes sent together with the request head reach the upstream too.
      const early =
        rest.length >= 5
          ? rest
          : Buffer.concat([rest, await readUntil(socket, (b) => b.length >= 5 - rest.length)]);
      expect(early.toString()).toBe('early');
      expect(proxy.inFlight()).toBe(1);
      expect(proxy.stats().upgrades).toBe(before + 1);
      socket.write('ping');
      const echoed = await readUntil(socket, (b) => b.toString() === 'ping');
      expect(echoed.toString()).toBe('ping');
    } finally {
      socket.end();
    }
    socket.resume();
    if (!socket.destroyed) await once(socket, 'close');
    await waitUntil('the tunnel to be released', () => proxy.inFlight() === 0);
  });

  it('answers 502 when the upstream is down, then keeps serving once it is back', async () => {
    const failedBefore = proxy.stats().failed;
    await proxy.switchTo({ host: '127.0.0.1', port: await deadPort() });
    const down = await request(proxy.address.port, { path: '/colour' });
    expect(down.status).toBe(502);
    expect(down.body.toString()).toMatch(/bad gateway/);
    const { head } = await openUpgrade(proxy.address.port).then(async (u) => {
      u.socket.destroy();
      return u;
    });
    expect(head).toMatch(/^HTTP\/1\.1 502 /);
    expect(proxy.stats().failed).toBe(failedBefore + 2);
    expect(warnings.length).toBeGreaterThan(0);

    await proxy.switchTo({ host: '127.0.0.1', port: blue.port });
    const back = await request(proxy.address.port, { path: '/colour' });
    expect(back.status).toBe(200);
    expect(back.body.toString()).toBe('blue');
    expect(proxy.inFlight()).toBe(0);
  });

  it('answers 503 until an upstream is set', async () => {
    const empty = await startSwitchProxy({ listen: { host: '127.0.0.1', port: 0 }, upstream: null });
    try {
      expect(empty.upstream).toBeNull();
      const reply = await request(empty.address.port, { path: '/colour' });
      expect(reply.status).toBe(503);
      const { socket, head } = await openUpgrade(empty.address.port);
      socket.destroy();
      expect(head).toMatch(/^HTTP\/1\.1 503 /);
      expect(empty.stats()).toEqual({ requests: 1, failed: 2, upgrades: 1 });

      expect(await empty.switchTo({ host: '127.0.0.1', port: blue.port })).toEqual({
        drained: true,
        inFlightAtSwitch: 0,
      });
      expect((await request(empty.address.port, { path: '/colour' })).body.toString()).toBe('blue');
    } finally {
      await empty.close();
    }
  });

  it('rejects an invalid target and a busy port with typed errors', async () => {
    await expect(proxy.switchTo({ host: '127.0.0.1', port: 0 })).rejects.toMatchObject({ code: 'E_USAGE' });
    await expect(
      startSwitchProxy({ listen: { host: '127.0.0.1', port: proxy.address.port }, upstream: null }),
    ).rejects.toMatchObject({ code: 'E_CONFLICT' });
    expect(proxy.upstream).toEqual({ host: '127.0.0.1', port: blue.port });
  });
});
