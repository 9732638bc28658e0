import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { probeContext, runCheckDriverContract } from '../contract.js';
import { closedPort, closeServer, hangServer, listen } from '../net-shared/test-support.js';
import { tcpCheck } from './index.js';
import { type TcpCheckConfig, tcpCheckSchema } from './schema.js';

const schema = tcpCheckSchema({ baseDir: '/tmp' });
const config = (extra: Record<string, unknown>): TcpCheckConfig =>
  schema.parse({ type: 'tcp', host: '127.0.0.1', ...extra });

/** A tiny Redis-like server: "PING" → "+PONG", "HUGE" → 100 KiB of noise, "BYE" → closes. */
const pingServer = net.createServer((socket) => {
  socket.on('error', () => {});
  socket.setEncoding('utf8');
  socket.on('data', (data: string) => {
    if (data.includes('PING')) socket.write('+PONG\r\n');
    else if (data.includes('HUGE')) socket.write('x'.repeat(100 * 1024));
    else if (data.includes('BYE')) socket.end('-ERR bye\r\n');
  });
});
let pingPort = 0;
let refusedPort = 0;
let hang: Awaited<ReturnType<typeof hangServer>>;
beforeAll(async () => {
  pingPort = await listen(pingServer);
  refusedPort = await closedPort();
  hang = await hangServer();
});
afterAll(async () => {
  await hang.close();
  await closeServer(pingServer);
});

runCheckDriverContract('tcp', tcpCheck, async () => ({
  up: config({ port: pingPort }),
  down: config({ port: refusedPort }),
  hang: config({ port: hang.port, send: 'PING\r\n', expect_contains: '+PONG' }),
}));

describe('tcp check', () => {
  it('is up on connect, with the connect time as latency', async () => {
    const result = await tcpCheck.probe(config({ port: pingPort }), probeContext());
    expect(result.status).toBe('up');
    expect(result.message).toContain(`127.0.0.1:${pingPort}`);
    expect(typeof result.latencyMs).toBe('number');
  });

  it('reports a refused connection with its target', async () => {
    const result = await tcpCheck.probe(config({ port: refusedPort }), probeContext());
    expect(result).toMatchObject({
      status: 'down',
      message: `connection refused (127.0.0.1:${refusedPort})`,
    });
  });

  it('sends a ping and waits for the expected reply', async () => {
    const result = await tcpCheck.probe(
      config({ port: pingPort, send: 'PING\r\n', expect_contains: '+PONG' }),
      probeContext(),
    );
    expect(result.status, result.message).toBe('up');
  });

  it('is down when the peer closes without the expected reply', async () => {
    const result = await tcpCheck.probe(
      config({ port: pingPort, send: 'BYE\r\n', expect_contains: '+PONG' }),
      probeContext(),
    );
    expect(result.status).toBe('down');
    expect(result.message).toContain('connection closed before the reply contained "+PONG"');
  });

  it('stops reading after 64 KiB without the expected reply', async () => {
    const result = await tcpCheck.probe(
      config({ port: pingPort, send: 'HUGE\r\n', expect_contains: '+PONG' }),
      probeContext(),
    );
    expect(result).toMatchObject({ status: 'down' });
    expect(result.message).toContain('64 KiB');
  });

  it('times out with the context timeout in the message when the reply never comes', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await tcpCheck.probe(
      config({ port: hang.port, expect_contains: 'SSH-' }),
      probeContext(100, controller.signal),
    );
    expect(result).toEqual({ status: 'down', message: 'timed out after 100 ms' });
  });

  it('closes its connection to a hanging target when aborted', async () => {
    const controller = new AbortController();
    const ctx = probeContext(100, controller.signal);
    const pending = tcpCheck.probe(
      config({ port: hang.port, send: 'PING\\r\\n', expect_contains: '+PONG' }),
      ctx,
    );
    await vi.waitFor(() => expect(hang.openSockets()).toBe(1));
    controller.abort();
    expect((await pending).status).toBe('down');
    await vi.waitFor(() => expect(hang.openSockets()).toBe(0));
  });

  it('returns at once for an already aborted signal', async () => {
    const result = await tcpCheck.probe(config({ port: pingPort }), probeContext(50, AbortSignal.abort()));
    expect(result).toEqual({ status: 'down', message: 'timed out after 50 ms' });
  });

  it('parses the documented example with defaults', () => {
    const parsed = schema.parse({
      type: 'tcp',
      host: '127.0.0.1',
      port: 1883,
      interval: '10s',
      service: 'mqtt',
    });
    expect(parsed).toMatchObject({ port: 1883, interval: 10_000, service: 'mqtt' });
    expect(parsed.timeout).toBeUndefined(); // the engine uses min(10s, interval)
  });

  it.each([0, 65536, 1.5, '80'])('rejects port %s', (port) => {
    expect(schema.safeParse({ type: 'tcp', host: 'db', port }).success).toBe(false);
  });

  it('rejects unknown keys and a missing host', () => {
    expect(schema.safeParse({ type: 'tcp', host: 'db', port: 5432, nmae: 'x' }).success).toBe(false);
    expect(schema.safeParse({ type: 'tcp', port: 5432 }).success).toBe(false);
  });
});
