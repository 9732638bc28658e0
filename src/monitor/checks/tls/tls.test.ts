import tls from 'node:tls';
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
import { tlsCheck } from './index.js';
import { type TlsCheckConfig, tlsCheckSchema } from './schema.js';

const schema = tlsCheckSchema({ baseDir: '/tmp' });
const config = (extra: Record<string, unknown>): TlsCheckConfig =>
  schema.parse({ type: 'tls', host: '127.0.0.1', ...extra });

let certs: TestCerts;
const servers: tls.Server[] = [];
const ports: Record<'valid' | 'nearExpiry' | 'expired' | 'selfSigned', number> = {
  valid: 0,
  nearExpiry: 0,
  expired: 0,
  selfSigned: 0,
};
let refusedPort = 0;
let hang: Awaited<ReturnType<typeof hangServer>>;

async function serve(pair: KeyPair): Promise<number> {
  const server = tls.createServer({ key: pair.key, cert: pair.cert }, (socket) => socket.end());
  server.on('tlsClientError', () => {});
  servers.push(server);
  return listen(server);
}

beforeAll(async () => {
  certs = await makeTestCerts();
  for (const name of Object.keys(ports) as Array<keyof typeof ports>) ports[name] = await serve(certs[name]);
  refusedPort = await closedPort();
  hang = await hangServer();
}, 60_000);
afterAll(async () => {
  await hang?.close();
  for (const server of servers) await closeServer(server);
  await certs?.cleanup();
});

runCheckDriverContract('tls', tlsCheck, async () => ({
  up: config({ port: ports.valid, ca_file: certs.caFile }),
  down: config({ port: refusedPort, ca_file: certs.caFile }),
  hang: config({ port: hang.port, ca_file: certs.caFile }),
}));

describe('tls check', () => {
  it('reports a trusted certificate (private CA via ca_file) with its facts', async () => {
    const result = await tlsCheck.probe(config({ port: ports.valid, ca_file: certs.caFile }), probeContext());
    expect(result.status, result.message).toBe('up');
    expect(result.details).toMatchObject({ subject_cn: 'localhost', issuer_cn: 'Steward Test CA' });
    expect(result.details?.days_left).toBeGreaterThanOrEqual(28);
    expect(String(result.details?.not_after)).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('checks the certificate against server_name', async () => {
    const ok = await tlsCheck.probe(
      config({ port: ports.valid, ca_file: certs.caFile, server_name: 'localhost' }),
      probeContext(),
    );
    expect(ok.status, ok.message).toBe('up');
    const wrong = await tlsCheck.probe(
      config({ port: ports.valid, ca_file: certs.caFile, server_name: 'other.example' }),
      probeContext(),
    );
    expect(wrong.status).toBe('down');
    expect(wrong.message).toContain('certificate rejected');
  });

  it('is degraded within warn_days and down within critical_days', async () => {
    const near = config({ port: ports.nearExpiry, ca_file: certs.caFile });
    const degraded = await tlsCheck.probe(near, probeContext());
    expect(degraded.status, degraded.message).toBe('degraded');
    expect(degraded.message).toMatch(/certificate expires in \d days/);
    const down = await tlsCheck.probe({ ...near, critical_days: 7 }, probeContext());
    expect(down.status).toBe('down');
  });

  it('is down for an expired certificate, trusted or not', async () => {
    const rejected = await tlsCheck.probe(
      config({ port: ports.expired, ca_file: certs.caFile }),
      probeContext(),
    );
    expect(rejected.status).toBe('down');
    expect(rejected.message).toContain('certificate has expired');
    const skipped = await tlsCheck.probe(
      config({ port: ports.expired, ca_file: certs.caFile, insecure_skip_verify: true }),
      probeContext(),
    );
    expect(skipped.status).toBe('down');
    expect(skipped.message).toContain('certificate expired');
    expect(skipped.details?.days_left).toBeLessThan(0);
  });

  it('is down for an untrusted self-signed certificate with the reason from Node', async () => {
    const result = await tlsCheck.probe(config({ port: ports.selfSigned }), probeContext());
    expect(result.status).toBe('down');
    expect(result.message).toContain('self-signed certificate');
  });

  it('accepts an untrusted certificate with insecure_skip_verify and says so', async () => {
    const result = await tlsCheck.probe(
      config({ port: ports.selfSigned, insecure_skip_verify: true }),
      probeContext(),
    );
    expect(result.status, result.message).toBe('up');
    expect(result.message).toContain('not verified');
    expect(result.details?.subject_cn).toBe('self-signed.test');
  });

  it('closes its connection to a hanging target when aborted', async () => {
    const controller = new AbortController();
    const ctx = probeContext(100, controller.signal);
    const pending = tlsCheck.probe(config({ port: hang.port, ca_file: certs.caFile }), ctx);
    await vi.waitFor(() => expect(hang.openSockets()).toBe(1));
    controller.abort();
    expect((await pending).status).toBe('down');
    await vi.waitFor(() => expect(hang.openSockets()).toBe(0));
  });

  it('is down when ca_file cannot be read', async () => {
    const result = await tlsCheck.probe(
      config({ port: ports.valid, ca_file: 'missing-ca.pem' }),
      probeContext(),
    );
    expect(result).toEqual({ status: 'down', message: 'cannot read ca_file /tmp/missing-ca.pem (ENOENT)' });
  });

  it('parses the documented example with defaults', () => {
    const parsed = schema.parse({
      type: 'tls',
      host: 'example.org',
      port: 443,
      warn_days: 14,
      interval: '6h',
    });
    expect(parsed).toMatchObject({
      port: 443,
      warn_days: 14,
      critical_days: 3,
      insecure_skip_verify: false,
      interval: 6 * 3_600_000,
    });
    expect(schema.parse({ type: 'tls', host: 'example.org' }).port).toBe(443);
  });

  it('rejects port 0, critical_days above warn_days and unknown keys', () => {
    expect(schema.safeParse({ type: 'tls', host: 'a', port: 0 }).success).toBe(false);
    const crossed = schema.safeParse({ type: 'tls', host: 'a', warn_days: 5, critical_days: 10 });
    expect(crossed.error?.issues[0]?.path).toEqual(['critical_days']);
    expect(schema.safeParse({ type: 'tls', host: 'a', warndays: 5 }).success).toBe(false);
  });
});
