import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMosquitto, type TestMosquitto } from '../../../test/support/mosquitto.js';
import { type IngestClient, type IngestEvents, startIngestClient } from './index.js';
import { openSeqDb, publishSeq, type SeqDb, waitFor } from './test-support.js';

let broker: TestMosquitto;
let dir: string;
let client: IngestClient | undefined;
let db: SeqDb | undefined;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stw-ingest-restart-'));
  // persistence: the broker saves sessions and queued messages on shutdown, so ours survives.
  broker = await startMosquitto('allow_anonymous true\nmax_queued_messages 100000\npersistence true\n');
}, 30_000);

afterAll(async () => {
  await client?.stop();
  db?.close();
  await broker?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('mqtt ingest client across a broker restart', () => {
  it('reconnects with backoff, keeps its session, and raises disconnected-too-long once per outage', async () => {
    db = openSeqDb(path.join(dir, 'restart.db'));
    const seen = {
      connected: [] as Array<IngestEvents['connected']>,
      disconnected: [] as Array<IngestEvents['disconnected']>,
      tooLong: [] as Array<IngestEvents['disconnected-too-long']>,
    };
    client = await startIngestClient({
      url: broker.url,
      clientId: 'stw-restart',
      subscriptions: ['restart/#'],
      sink: db.sink,
      reconnect: { initialMs: 100, maxMs: 400 },
      disconnectedAlertAfterMs: 1_000,
    });
    client.on('connected', (c) => seen.connected.push(c));
    client.on('disconnected', (d) => seen.disconnected.push(d));
    client.on('disconnected-too-long', (d) => seen.tooLong.push(d));
    const c = client;

    // 5000 accepted by the broker; it goes down while they are still being delivered.
    await publishSeq({ url: broker.url, topic: 'restart/x', from: 1, to: 5000 });
    await waitFor('the first commits', () => c.stats().committed > 0);
    await broker.stop();
    await waitFor('the disconnect to be noticed', () => seen.disconnected.length === 1);
    expect(c.stats().connected).toBe(false);
    expect(c.stats().disconnectedSince).not.toBeNull();
    await waitFor('disconnected-too-long', () => seen.tooLong.length === 1);
    // Reconnect attempts go on meanwhile (the broker is refusing connections).
    await new Promise((r) => setTimeout(r, 1_000));

    await broker.start();
    await waitFor('the reconnect', () => seen.connected.length === 1, 20_000);
    expect(seen.connected[0]).toMatchObject({ protocolVersion: 5, sessionPresent: true });
    expect(c.stats()).toMatchObject({ connected: true, disconnectedSince: null });
    await publishSeq({ url: broker.url, topic: 'restart/x', from: 5001, to: 6000 });
    await waitFor('all 6000 stored', () => db?.count() === 6000, 30_000);

    expect(seen.tooLong).toHaveLength(1);
    expect(seen.disconnected).toHaveLength(1);
    expect(db.seqs().sort((a, b) => a - b)).toEqual(Array.from({ length: 6000 }, (_, i) => i + 1));
    // Messages committed but not yet acked when the broker went away come again; the UNIQUE seq absorbs them.
    expect(db.offered()).toBeGreaterThanOrEqual(6000);
  }, 90_000);
});
