import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMosquitto, type TestMosquitto } from '../../../test/support/mosquitto.js';
import {
  type IngestClient,
  type IngestClientOptions,
  type IngestEvents,
  startIngestClient,
} from './index.js';
import { openSeqDb, publishSeq, type SeqDb, waitFor } from './test-support.js';

let broker: TestMosquitto;
let dir: string;
const open: Array<{ client?: IngestClient; db?: SeqDb; server?: net.Server }> = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stw-ingest-'));
  // 100 000 queued per client: the default 1000 would drop what is published while we are away.
  broker = await startMosquitto('allow_anonymous true\nmax_queued_messages 100000\n');
}, 30_000);

afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.client?.stop();
    o.db?.close();
    o.server?.close();
  }
});

afterAll(async () => {
  await broker?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Measured numbers go to the test output (stderr): they are reported, never asserted. */
function report(line: string): void {
  process.stderr.write(`[mqtt ingest] ${line}\n`);
}

async function start(
  name: string,
  extra: Partial<IngestClientOptions> = {},
  db = openSeqDb(path.join(dir, `${name}.db`)),
) {
  const client = await startIngestClient({
    url: broker.url,
    clientId: `stw-${name}`,
    subscriptions: [`${name}/#`],
    sink: db.sink,
    reconnect: { initialMs: 50, maxMs: 500 },
    ...extra,
  });
  open.push({ client, db });
  return { client, db };
}

const pubacksFrom = (clientId: string) => broker.log().split(`Received PUBACK from ${clientId} `).length - 1;

describe('mqtt ingest client', () => {
  it('commits every message in order per topic, and acks none before its batch is committed', async () => {
    const db = openSeqDb(path.join(dir, 'order.db'));
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let sinkCalls = 0;
    const { client } = await start(
      'order',
      {
        sink: async (batch) => {
          if (++sinkCalls === 1) await gate;
          db.sink(batch);
        },
      },
      db,
    );
    expect(client.stats().connected).toBe(true);
    const topics = ['order/a', 'order/b', 'order/c'];
    await publishSeq({ url: broker.url, topic: (seq) => topics[seq % 3] ?? 'order/a', from: 1, to: 3000 });
    await waitFor('the first batch to reach the sink', () => sinkCalls === 1 && client.stats().received > 0);
    // The broker has sent messages to us but has not seen a single PUBACK: the sink holds.
    expect(broker.log()).toContain('Sending PUBLISH to stw-order');
    expect(pubacksFrom('stw-order')).toBe(0);
    release();
    await waitFor('all 3000 committed', () => client.stats().committed === 3000);
    await waitFor('the broker to log every PUBACK', () => pubacksFrom('stw-order') === 3000);
    expect(db.count()).toBe(3000);
    expect(db.offered()).toBe(3000);
    for (const [i, t] of topics.entries()) {
      const seqs = db.seqs(t);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(seqs.length).toBe(1000);
      expect(seqs.every((s) => s % 3 === i)).toBe(true);
    }
    expect(client.stats()).toMatchObject({ received: 3000, inFlight: 0, failedBatches: 0 });
  });

  it('retries a batch the sink refused: nothing lost, nothing offered twice', async () => {
    const db = openSeqDb(path.join(dir, 'retry.db'));
    let failures = 0;
    const batches: Array<IngestEvents['batch']> = [];
    const { client } = await start(
      'retry',
      {
        sink: (batch) => {
          if (failures < 3) {
            failures++;
            throw new Error('disk I/O error (test)');
          }
          db.sink(batch);
        },
      },
      db,
    );
    client.on('batch', (b) => batches.push(b));
    await publishSeq({ url: broker.url, topic: 'retry/x', from: 1, to: 2000 });
    await waitFor('all 2000 committed', () => client.stats().committed === 2000);
    expect(db.count()).toBe(2000);
    expect(db.offered()).toBe(2000);
    expect(db.seqs()).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1));
    expect(client.stats().failedBatches).toBe(3);
    expect(batches[0]?.attempts).toBe(4);
  });

  it('pauses reading at maxInFlight while the sink is blocked (QoS 1 and QoS 0)', async () => {
    const db = openSeqDb(path.join(dir, 'bound.db'));
    let unblock!: () => void;
    const blocked = new Promise<void>((r) => {
      unblock = r;
    });
    const { client } = await start(
      'bound',
      {
        maxInFlight: 50,
        sink: async (batch) => {
          await blocked;
          db.sink(batch);
        },
      },
      db,
    );
    let maxSeen = 0;
    const sample = () => {
      maxSeen = Math.max(maxSeen, client.stats().inFlight);
    };
    const sampler = setInterval(sample, 1);
    client.on('batch', sample);
    try {
      await publishSeq({ url: broker.url, topic: 'bound/q1', from: 1, to: 300 });
      // QoS 0 has no broker-side flow control: only the client's pause bounds it.
      await publishSeq({ url: broker.url, topic: 'bound/q0', from: 301, to: 600, qos: 0 });
      await waitFor('maxInFlight messages read', () => client.stats().received >= 50);
      await new Promise((r) => setTimeout(r, 300)); // room for a broken pause to read more
      expect(client.stats()).toMatchObject({ received: 50, inFlight: 50, committed: 0 });
      unblock();
      await waitFor('all 600 committed', () => client.stats().committed === 600);
    } finally {
      clearInterval(sampler);
    }
    expect(maxSeen).toBeLessThanOrEqual(50);
    expect(db.count()).toBe(600);
  });

  it('keeps the session: what is published while stopped arrives on the next start (throughput reported)', async () => {
    const db = openSeqDb(path.join(dir, 'session.db'));
    const first = await startIngestClient({
      url: broker.url,
      clientId: 'stw-session',
      subscriptions: ['session/#'],
      sink: db.sink,
    });
    open.push({ client: first });
    await first.stop();
    const n = 20_000;
    await publishSeq({ url: broker.url, topic: 'session/x', from: 1, to: n, window: 1000 });
    const t0 = performance.now();
    const { client } = await start('session', { clientId: 'stw-session' }, db);
    await waitFor(`${n} queued messages committed`, () => client.stats().committed === n, 60_000);
    const seconds = (performance.now() - t0) / 1000;
    report(
      `drained ${n} queued QoS 1 messages into SQLite in ${seconds.toFixed(2)} s = ${Math.round(n / seconds)} msg/s`,
    );
    expect(db.count()).toBe(n);
    expect(db.offered()).toBe(n);
  }, 90_000);

  it('stop() mid-stream commits what it took; the rest comes on the next start', async () => {
    const db = openSeqDb(path.join(dir, 'midstop.db'));
    const slowSink = async (batch: Parameters<typeof db.sink>[0]) => {
      await new Promise((r) => setTimeout(r, 20));
      db.sink(batch);
    };
    const first = await startIngestClient({
      url: broker.url,
      clientId: 'stw-midstop',
      subscriptions: ['midstop/#'],
      sink: slowSink,
      maxInFlight: 200,
    });
    open.push({ client: first });
    await publishSeq({ url: broker.url, topic: 'midstop/x', from: 1, to: 5000 });
    await waitFor('a few commits', () => first.stats().committed > 0);
    await first.stop();
    const stopped = first.stats();
    expect(stopped.inFlight).toBe(0);
    expect(stopped.committed).toBe(stopped.received);
    expect(stopped.committed).toBeLessThan(5000);
    expect(db.count()).toBe(stopped.committed);
    const { client } = await start('midstop', { clientId: 'stw-midstop' }, db);
    await waitFor('the rest committed by the next run', () => db.count() === 5000, 30_000);
    // Everything the first run committed was acked before it disconnected: nothing came twice.
    expect(db.offered()).toBe(5000);
    expect(client.stats().committed).toBe(5000 - stopped.committed);
  });

  it('stop() with a sink that keeps failing closes without acking; the next start gets the messages', async () => {
    const failing = await startIngestClient({
      url: broker.url,
      clientId: 'stw-giveup',
      subscriptions: ['giveup/#'],
      sink: () => {
        throw new Error('read-only file system (test)');
      },
      stopTimeoutMs: 300,
    });
    open.push({ client: failing });
    await publishSeq({ url: broker.url, topic: 'giveup/x', from: 1, to: 100 });
    await waitFor(
      'the messages read and refused',
      () => failing.stats().received === 100 && failing.stats().failedBatches > 0,
    );
    await failing.stop();
    expect(failing.stats()).toMatchObject({ committed: 0, connected: false });
    const { client, db } = await start('giveup');
    await waitFor('the 100 redelivered messages committed', () => client.stats().committed === 100);
    expect(db.count()).toBe(100);
  });

  it('starts while the broker is unreachable and keeps retrying; stop() still returns', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const warnings: string[] = [];
    const logger = { info: () => {}, warn: (_o: object, m: string) => warnings.push(m), error: () => {} };
    const down = await startIngestClient({
      url: `mqtt://127.0.0.1:${port}`,
      clientId: 'stw-down',
      subscriptions: ['down/#'],
      sink: () => {},
      reconnect: { initialMs: 20, maxMs: 40 },
      logger,
    });
    open.push({ client: down });
    expect(down.stats()).toMatchObject({ connected: false, received: 0 });
    expect(down.stats().disconnectedSince).not.toBeNull();
    await new Promise((r) => setTimeout(r, 300)); // several refused attempts
    await down.stop();
    // One warning for the outage, not one per attempt.
    expect(warnings.filter((m) => m.includes('connection error'))).toHaveLength(1);
  });

  it('falls back to MQTT 3.1.1 with a persistent session when the broker refuses MQTT 5', async () => {
    const server = v311OnlyProxy(broker.port);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    open.push({ server });
    const url = `mqtt://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    const db = openSeqDb(path.join(dir, 'v311.db'));
    const first = await startIngestClient({
      url,
      clientId: 'stw-v311',
      subscriptions: ['v311/#'],
      sink: db.sink,
    });
    open.push({ client: first });
    await waitFor('a 3.1.1 connection', () => first.stats().connected);
    await first.stop();
    await publishSeq({ url: broker.url, topic: 'v311/x', from: 1, to: 500 });
    const { client } = await start('v311', { url, clientId: 'stw-v311' }, db);
    await waitFor('the queued messages committed', () => client.stats().committed === 500);
    expect(db.count()).toBe(500);
    expect(broker.log()).toMatch(/New client connected from .* as stw-v311 \(p2, c0/);
  });
});

/** A stand-in for a 3.1.1-only broker: refuses a v5 CONNECT the way the spec says, passes others on. */
function v311OnlyProxy(brokerPort: number): net.Server {
  return net.createServer((socket) => {
    socket.once('data', (first) => {
      // CONNECT: type byte, remaining length (1–4 bytes), "\0\4MQTT", protocol level.
      let i = 1;
      while ((first[i] ?? 0) & 0x80) i++;
      const level = first[i + 7];
      if (level === 5) {
        socket.end(Buffer.from([0x20, 0x02, 0x00, 0x01]));
        return;
      }
      const upstream = net.connect(brokerPort, '127.0.0.1', () => {
        upstream.write(first);
        socket.pipe(upstream).pipe(socket);
      });
      const close = () => {
        socket.destroy();
        upstream.destroy();
      };
      upstream.on('error', close).on('close', close);
      socket.on('error', close).on('close', close);
    });
  });
}
