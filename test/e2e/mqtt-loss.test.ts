import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type RunningDaemon, startDaemon, tempDir, writeConfig } from '../support/cli.js';
import { startMosquitto, type TestMosquitto } from '../support/mosquitto.js';
import { until } from '../support/wait.js';

/**
 * No loss: 50,000 QoS 1 messages with sequence numbers while the daemon is killed (-9) and
 * restarted twice mid-stream. Afterwards the store holds every sequence number exactly once.
 */
const TOTAL = 50_000;
const dir = tempDir();
let broker: TestMosquitto;
let daemon: RunningDaemon;
let config: string;
let port: number;

beforeAll(async () => {
  // The broker queues for Steward's session while it is down: raise Mosquitto's default of 1000.
  broker = await startMosquitto('allow_anonymous true\nmax_queued_messages 200000\n', {
    dir: fs.mkdtempSync(path.join(dir, 'broker-')),
  });
  port = await freePort();
  config = writeConfig(
    dir,
    port,
    `mqtt:
  broker: { url: "${broker.url}", client_id: steward-loss-test }
  ingest:
    - { topic: "load/+node", format: json, fields: { seq: "$.seq" }, metric: "load_{field}", timestamp: "$.ts", sequence: "$.seq", device: "{node}" }
`,
  );
  daemon = await startDaemon(config, { port });
}, 60_000);

afterAll(async () => {
  await daemon?.stop();
  await broker?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function stored(): { count: number; distinct: number; min: number; max: number } {
  const out = spawnSync(
    'sqlite3',
    [
      path.join(dir, 'data', 'steward.db'),
      "SELECT COUNT(*), COUNT(DISTINCT s.value), MIN(s.value), MAX(s.value) FROM samples s JOIN series r ON r.id = s.series_id WHERE r.name = 'load_seq';",
    ],
    { encoding: 'utf8' },
  );
  const [count, distinct, min, max] = out.stdout.trim().split('|').map(Number);
  return { count: count ?? 0, distinct: distinct ?? 0, min: min ?? 0, max: max ?? 0 };
}

describe('mqtt ingestion under kill -9', () => {
  it(`stores all ${TOTAL} sequence numbers exactly once across two kills`, async () => {
    const pub = await mqtt.connectAsync(broker.url, { clientId: 'loss-publisher', reconnectPeriod: 0 });
    const base = Date.now() - 3_600_000;
    const kills = [Math.round(TOTAL * 0.3), Math.round(TOTAL * 0.65)];
    const inFlight: Promise<unknown>[] = [];
    for (let seq = 1; seq <= TOTAL; seq++) {
      // One millisecond apart: the store keeps one sample per series and millisecond.
      inFlight.push(pub.publishAsync('load/n1', JSON.stringify({ seq, ts: base + seq }), { qos: 1 }));
      if (inFlight.length >= 500) await Promise.all(inFlight.splice(0));
      if (kills.includes(seq)) {
        await daemon.stop('SIGKILL');
        daemon = await startDaemon(config, { port });
      }
    }
    await Promise.all(inFlight);
    await pub.endAsync();
    const result = await until(
      'every message stored',
      async () => {
        const s = stored();
        return s.count >= TOTAL ? s : undefined;
      },
      120_000,
    );
    expect(result).toEqual({ count: TOTAL, distinct: TOTAL, min: 1, max: TOTAL });
    const metrics = await fetch(`${daemon.url}/metrics`).then((r) => r.text());
    expect(metrics).toContain('steward_mqtt_connected 1');
  }, 240_000);
});
