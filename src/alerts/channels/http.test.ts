import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest, isRetryableStatus, postJson, RESPONSE_CAP, scrub } from './http.js';
import { ChannelError } from './types.js';

describe('channel HTTP helper', () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      if (req.url === '/huge') {
        res.writeHead(200);
        const chunk = Buffer.alloc(64 * 1024, 0x61);
        let sent = 0;
        const pump = () => {
          while (sent < 8 * RESPONSE_CAP) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('error', () => {});
        pump();
        return;
      }
      if (req.url === '/redirect') return void res.writeHead(302, { location: '/elsewhere' }).end();
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ auth: req.headers.authorization ?? null }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const opts = { signal: AbortSignal.timeout(10_000), secrets: ['s3cret/pw'], what: 'test' };

  it('caps a huge answer instead of reading it all', async () => {
    const res = await httpRequest({ ...opts, url: `${base}/huge`, method: 'GET' });
    expect(res.status).toBe(200);
    expect(Buffer.byteLength(res.body)).toBe(RESPONSE_CAP);
  });

  it('does not follow redirects', async () => {
    const err = await postJson(`${base}/redirect`, {}, opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChannelError);
    expect(err).toMatchObject({ retryable: false, message: expect.stringContaining('HTTP 302') });
  });

  it('sends URL user info as basic auth', async () => {
    const res = await postJson(`http://bob:p%40ss@${base.slice(7)}/x`, {}, opts);
    expect(JSON.parse(res.body)).toEqual({ auth: `Basic ${Buffer.from('bob:p@ss').toString('base64')}` });
  });

  it('maps statuses and network errors', async () => {
    expect([400, 401, 403, 404, 410, 422].map(isRetryableStatus)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect([408, 429, 500, 502, 503, 504].every(isRetryableStatus)).toBe(true);
    const refused = await postJson('http://127.0.0.1:1/x', {}, opts).catch((e: unknown) => e);
    expect(refused).toMatchObject({ name: 'ChannelError', retryable: true });
    const scheme = await httpRequest({ ...opts, url: 'ftp://x/y' }).catch((e: unknown) => e);
    expect(scheme).toMatchObject({ name: 'ChannelError', retryable: false });
  });

  it('scrubs secrets, URL-encoded ones too', () => {
    expect(scrub('a s3cret/pw b s3cret%2Fpw c', ['s3cret/pw', ''])).toBe('a [redacted] b [redacted] c');
  });
});
