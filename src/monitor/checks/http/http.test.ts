import http from 'node:http';
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { probeContext, runCheckDriverContract } from '../contract.js';
import {
  closedPort,
  closeServer,
  hangServer,
  type KeyPair,
  listen,
  makeTestCerts,
  type TestCerts,
} from '../net-shared/test-support.js';
import { httpCheck } from './index.js';
import { type HttpCheckConfig, httpCheckSchema } from './schema.js';

const schema = httpCheckSchema({ baseDir: '/tmp' });
const config = (url: string, extra: Record<string, unknown> = {}): HttpCheckConfig =>
  schema.parse({ type: 'http', url, ...extra });

const PASSWORD = 'hunter2-Pa55word';
const TOKEN = 'Bearer tok-9f8e7d6c5b4a';
const basicAuth = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;

/** One app for all plain-HTTP cases; every https server answers 200 "ok". */
function app(req: http.IncomingMessage, res: http.ServerResponse): void {
  const path = req.url ?? '/';
  if (path === '/health') res.end('status: ok');
  else if (path === '/status/503') res.writeHead(503).end('unavailable');
  else if (path === '/status/204') res.writeHead(204).end();
  else if (path === '/slow') setTimeout(() => res.end('ok'), 300);
  else if (path === '/redirect') res.writeHead(302, { location: '/health' }).end();
  else if (path === '/loop') res.writeHead(302, { location: '/loop' }).end();
  else if (path === '/auth') res.writeHead(req.headers.authorization === basicAuth ? 200 : 401).end();
  else if (path === '/post' && req.method === 'POST') {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => res.writeHead(body === 'ping' ? 303 : 400, { location: '/health' }).end());
  } else if (path === '/endless') {
    // Never ends: the probe must stop reading at its cap instead of waiting or buffering.
    res.writeHead(200);
    const write = () => {
      while (!res.destroyed && res.write('x'.repeat(64 * 1024)));
      if (!res.destroyed) res.once('drain', write);
    };
    write();
  } else if (path === '/headers-only') res.writeHead(200).write('partial');
  else res.writeHead(404).end();
}

const server = http.createServer(app);
const tlsServers: https.Server[] = [];
let base = '';
let certs: TestCerts;
let refused = '';
let hang: Awaited<ReturnType<typeof hangServer>>;
const httpsUrl: Record<'valid' | 'nearExpiry' | 'expired' | 'selfSigned', string> = {
  valid: '',
  nearExpiry: '',
  expired: '',
  selfSigned: '',
};

async function serveTls(pair: KeyPair): Promise<string> {
  const s = https.createServer({ key: pair.key, cert: pair.cert }, (_req, res) => res.end('ok'));
  s.on('tlsClientError', () => {});
  tlsServers.push(s);
  return `https://127.0.0.1:${await listen(s)}/`;
}

beforeAll(async () => {
  base = `http://127.0.0.1:${await listen(server)}`;
  refused = `http://127.0.0.1:${await closedPort()}/health`;
  hang = await hangServer();
  certs = await makeTestCerts();
  for (const name of Object.keys(httpsUrl) as Array<keyof typeof httpsUrl>) {
    httpsUrl[name] = await serveTls(certs[name]);
  }
}, 60_000);
afterAll(async () => {
  await hang?.close();
  await closeServer(server);
  for (const s of tlsServers) await closeServer(s);
  await certs?.cleanup();
});

const withSecrets = (url: string) => {
  const u = new URL(url);
  u.username = 'admin';
  u.password = PASSWORD;
  return config(u.href, { headers: { 'X-Token': TOKEN } });
};

runCheckDriverContract('http', httpCheck, async () => ({
  up: withSecrets(`${base}/auth`),
  down: withSecrets(refused),
  hang: withSecrets(`http://127.0.0.1:${hang.port}/health`),
  secrets: [PASSWORD, TOKEN],
}));

const probe = (c: HttpCheckConfig) => httpCheck.probe(c, probeContext());

describe('http check', () => {
  it('is up on 2xx by default and reports the status code', async () => {
    const result = await probe(config(`${base}/health`));
    expect(result.status).toBe('up');
    expect(result.message).toMatch(/^HTTP 200 in \d+ ms$/);
    expect(result.details).toEqual({ status_code: 200 });
    expect((await probe(config(`${base}/status/204`))).status).toBe('up');
  });

  it('matches the status against a number or a list', async () => {
    const down = await probe(config(`${base}/status/503`));
    expect(down).toMatchObject({ status: 'down', message: 'HTTP 503 (expected 2xx)' });
    const single = await probe(config(`${base}/health`, { expect: { status: 204 } }));
    expect(single.message).toBe('HTTP 200 (expected 204)');
    const list = await probe(config(`${base}/status/503`, { expect: { status: [200, 503] } }));
    expect(list.status).toBe('up');
  });

  it('checks body_contains and body_matches', async () => {
    expect((await probe(config(`${base}/health`, { expect: { body_contains: 'ok' } }))).status).toBe('up');
    const missing = await probe(config(`${base}/health`, { expect: { body_contains: 'ready' } }));
    expect(missing).toMatchObject({ status: 'down', message: 'body does not contain "ready"' });
    const re = await probe(config(`${base}/health`, { expect: { body_matches: '^status: (ok|fine)$' } }));
    expect(re.status).toBe('up');
    const noMatch = await probe(config(`${base}/health`, { expect: { body_matches: '^fine' } }));
    expect(noMatch).toMatchObject({ status: 'down', message: 'body does not match /^fine/' });
  });

  it('is degraded when slower than max_latency', async () => {
    const result = await probe(config(`${base}/slow`, { expect: { max_latency: '50ms' } }));
    expect(result.status).toBe('degraded');
    expect(result.message).toContain('slower than 50 ms');
  });

  it('follows redirects unless told not to, and gives up on loops', async () => {
    expect((await probe(config(`${base}/redirect`, { expect: { body_contains: 'ok' } }))).status).toBe('up');
    const notFollowed = await probe(config(`${base}/redirect`, { follow_redirects: false }));
    expect(notFollowed.message).toBe('HTTP 302 (expected 2xx)');
    const loop = await probe(config(`${base}/loop`));
    expect(loop).toEqual({ status: 'down', message: 'too many redirects (more than 5)' });
  });

  it('sends a POST body and follows a 303 with GET', async () => {
    const result = await probe(config(`${base}/post`, { method: 'POST', body: 'ping' }));
    expect(result.status, result.message).toBe('up');
  });

  it('reads at most 1 MiB of an endless body', async () => {
    const result = await probe(config(`${base}/endless`, { expect: { body_contains: 'never' } }));
    expect(result).toMatchObject({ status: 'down', message: 'body does not contain "never"' });
  });

  it('times out on a body that never ends, with the context timeout', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await httpCheck.probe(
      config(`${base}/headers-only`),
      probeContext(100, controller.signal),
    );
    expect(result).toEqual({ status: 'down', message: 'timed out after 100 ms' });
  });

  it('closes its connection to a hanging target when aborted', async () => {
    const controller = new AbortController();
    const ctx = probeContext(100, controller.signal);
    const pending = httpCheck.probe(config(`http://127.0.0.1:${hang.port}/health`), ctx);
    await vi.waitFor(() => expect(hang.openSockets()).toBe(1));
    controller.abort();
    expect((await pending).status).toBe('down');
    await vi.waitFor(() => expect(hang.openSockets()).toBe(0));
  });

  it('names the target of a refused connection, never its credentials', async () => {
    const result = await probe(withSecrets(refused));
    expect(result.message).toBe(`connection refused (${new URL(refused).host})`);
    const failing = await probe(withSecrets(`${base}/status/503`));
    for (const r of [result, failing]) {
      expect(JSON.stringify(r)).not.toContain(PASSWORD);
      expect(JSON.stringify(r)).not.toContain(TOKEN);
    }
  });

  describe('https', () => {
    const tlsConfig = (url: string, extra: Record<string, unknown> = {}) =>
      config(url, { ca_file: certs.caFile, ...extra });

    it('is up with a certificate from a CA trusted via ca_file, with its days left', async () => {
      const result = await probe(tlsConfig(httpsUrl.valid));
      expect(result.status, result.message).toBe('up');
      expect(result.details?.cert_days_left).toBeGreaterThanOrEqual(28);
    });

    it('is degraded when the certificate expires within warn_days', async () => {
      const result = await probe(tlsConfig(httpsUrl.nearExpiry));
      expect(result.status, result.message).toBe('degraded');
      expect(result.message).toMatch(/^HTTP 200 in \d+ ms; certificate expires in \d days/);
      expect((await probe(tlsConfig(httpsUrl.nearExpiry, { warn_days: 2 }))).status).toBe('up');
    });

    it('is down for an expired certificate, even with insecure_skip_verify', async () => {
      const result = await probe(tlsConfig(httpsUrl.expired));
      expect(result.status).toBe('down');
      expect(result.message).toContain('certificate has expired');
      const skipped = await probe(tlsConfig(httpsUrl.expired, { insecure_skip_verify: true }));
      expect(skipped.status).toBe('down');
      expect(skipped.message).toContain('certificate expired');
    });

    it('is down for an untrusted self-signed certificate unless verification is skipped', async () => {
      const result = await probe(config(httpsUrl.selfSigned));
      expect(result.status).toBe('down');
      expect(result.message).toContain('self-signed certificate');
      expect((await probe(config(httpsUrl.selfSigned, { insecure_skip_verify: true }))).status).toBe('up');
    });
  });

  describe('schema', () => {
    it('parses the documented example with defaults', () => {
      const parsed = schema.parse({
        type: 'http',
        url: 'http://127.0.0.1:8080/health',
        interval: '10s',
        timeout: '2s',
        expect: { status: 200, body_contains: 'ok' },
        service: 'core',
      });
      expect(parsed).toMatchObject({
        method: 'GET',
        headers: {},
        interval: 10_000,
        timeout: 2_000,
        expect: { status: [200], body_contains: 'ok' },
        follow_redirects: true,
        insecure_skip_verify: false,
        warn_days: 14,
      });
      expect(schema.parse({ type: 'http', url: 'https://example.org' }).expect).toEqual({});
    });

    it.each([
      [{ url: 'ftp://example.org/' }, 'expected an http:// or https:// URL'],
      [{ url: 'not a url' }, 'expected a URL'],
      [{ url: 'http://x/', expect: { body_matches: '(unclosed' } }, 'expected a regular expression'],
      [{ url: 'http://x/', expect: { status: 0 } }, ''],
      [{ url: 'http://x/', body: 'x' }, 'a body is sent only with method: POST'],
      [{ url: 'http://x/', headers: { 'Bad Name': 'v' } }, 'Invalid key'],
      [{ url: 'http://x/', headers: { 'X-A': 'v\r\nInjected: 1' } }, 'line break'],
      [{ url: 'http://x/', method: 'DELETE' }, ''],
      [{ url: 'http://x/', name: 'core' }, ''],
    ])('rejects %j', (input, message) => {
      const result = schema.safeParse({ type: 'http', ...input });
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.message).toContain(message);
    });
  });
});
