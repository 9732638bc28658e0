import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  freePort,
  type RunningDaemon,
  runCli,
  startDaemon,
  tempDir,
  writeConfig,
} from '../support/cli.js';
import { startMosquitto, type TestMosquitto } from '../support/mosquitto.js';
import { until } from '../support/wait.js';

/** MQTT against a real Mosquitto 2: auth files from `steward mqtt apply`, telemetry into the store, quarantine. */
const dir = tempDir();
const env = { MQTT_PASSWORD: 'steward-secret-pw-1', NODE_PASSWORD: 'node-secret-pw-2' };
let broker: TestMosquitto;
let daemon: RunningDaemon;
let config: string;
let viewer: string;

const publisher = () =>
  mqtt.connectAsync(broker.url, {
    username: 'node-kitchen',
    password: env.NODE_PASSWORD,
    reconnectPeriod: 0,
  });

beforeAll(async () => {
  const mq = path.join(dir, 'mq');
  const port = await freePort();
  config = writeConfig(
    dir,
    port,
    `mqtt:
  mosquitto:
    dir: ./mq
    users:
      steward: { password: "\${MQTT_PASSWORD}", acl: [{ topic: "#", access: read }] }
      node-kitchen: { password: "\${NODE_PASSWORD}", acl: [{ topic: "sensors/kitchen/#", access: write }, { topic: "nodes/kitchen/#", access: write }] }
    reload: { pid_file: ./mq/mosquitto.pid }
  broker: { url: "mqtt://127.0.0.1:1", username: steward, password: "\${MQTT_PASSWORD}" }
  ingest:
    - { topic: "sensors/+room/+metric", format: number, metric: "sensor_{metric}" }
    - { topic: "nodes/+node/telemetry", format: json, fields: { temperature: "$.t" }, metric: "node_{field}", timestamp: "$.ts", sequence: "$.seq", device: "{node}" }
`,
  );
  const dry = runCli(['mqtt', 'apply', '--dry-run', '-c', config], { env });
  expect(dry.code).toBe(0);
  expect(fs.existsSync(path.join(mq, 'passwd'))).toBe(false);
  const applied = runCli(['mqtt', 'apply', '-c', config], { env });
  expect(applied.code, applied.stderr).toBe(0);
  for (const out of [dry.stdout, applied.stdout]) {
    expect(out).not.toContain(env.MQTT_PASSWORD);
    expect(out).not.toMatch(/\$7\$101\$[A-Za-z0-9+/]{8,}/);
  }
  expect(applied.stdout).toContain('not running');
  broker = await startMosquitto(`allow_anonymous false\npassword_file ${mq}/passwd\nacl_file ${mq}/acl\n`, {
    dir: fs.mkdtempSync(path.join(dir, 'broker-')),
  });
  // The broker's port is known only now: point Steward at it.
  fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace('mqtt://127.0.0.1:1"', `${broker.url}"`));
  daemon = await startDaemon(config, { port, env });
  viewer = JSON.parse(
    runCli(['token', 'create', '--name', 'v', '--role', 'viewer', '--json', '-c', config], { env }).stdout,
  ).token;
}, 60_000);

afterAll(async () => {
  await daemon?.stop();
  await broker?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Raw points (1 s steps) of a metric, by default over the last ten minutes. */
async function series(name: string, from = '10m', to = 'now'): Promise<{ points: [number, number][] }[]> {
  const res = await api(
    daemon,
    'GET',
    `/api/v1/metrics/query?name=${name}&from=${from}&to=${to}&step=1s`,
    viewer,
  );
  return (res.body as { series: { points: [number, number][] }[] }).series ?? [];
}

describe('mqtt', () => {
  it('the broker takes the users Steward wrote and refuses a wrong password', async () => {
    const ok = await publisher();
    await ok.endAsync();
    await expect(
      mqtt.connectAsync(broker.url, { username: 'node-kitchen', password: 'wrong', reconnectPeriod: 0 }),
    ).rejects.toThrow();
  });

  it('stores number and JSON telemetry with the wildcard labels, and drops a redelivered sequence', async () => {
    await until('connected', async () =>
      (await fetch(`${daemon.url}/metrics`).then((r) => r.text())).includes('steward_mqtt_connected 1'),
    );
    const c = await publisher();
    await c.publishAsync('sensors/kitchen/temp', '21.5', { qos: 1 });
    const base = Math.floor(Date.now() / 1000) - 120;
    for (const seq of [1, 2, 2, 3]) {
      await c.publishAsync('nodes/kitchen/telemetry', JSON.stringify({ t: 20 + seq, seq, ts: base + seq }), {
        qos: 1,
      });
    }
    await c.endAsync();
    const temp = await until('sensor sample', () => series('sensor_temp'));
    expect(temp[0]?.points.at(-1)?.[1]).toBe(21.5);
    const node = await until('node samples', async () => {
      // The payloads carry their own times (seconds since the epoch), a second apart.
      const s = await series('node_temperature');
      return (s[0]?.points.length ?? 0) >= 3 ? s : undefined;
    });
    expect(node[0]?.points.map((p) => p[1])).toEqual([21, 22, 23]);
    const metrics = await fetch(`${daemon.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/steward_mqtt_messages_total\{outcome="duplicate"\} 1/);
  });

  it('10,000 malformed payloads mixed with valid ones: every valid one stored, every malformed one quarantined', async () => {
    const c = await publisher();
    const garbage = (i: number) =>
      [Buffer.from([0xff, 0x00, i & 0xff]), 'not a number', '{"t": ', 'NaN', '1e999', ''][i % 6] as
        | string
        | Buffer;
    const base = Math.floor(Date.now() / 1000) - 3000;
    const pending: Promise<unknown>[] = [];
    let valid = 0;
    for (let i = 0; i < 10_000; i++) {
      pending.push(c.publishAsync('sensors/kitchen/humidity', garbage(i), { qos: 1 }));
      if (i % 10 === 0) {
        valid++;
        // Valid JSON telemetry between the garbage, a second apart, with its own sequence.
        pending.push(
          c.publishAsync(
            'nodes/kitchen/telemetry',
            JSON.stringify({ t: valid, seq: 100 + valid, ts: base + valid }),
            { qos: 1 },
          ),
        );
      }
      if (pending.length >= 200) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
    await c.endAsync();
    const counts = () => fetch(`${daemon.url}/metrics`).then((r) => r.text());
    await until(
      'all quarantined',
      async () => (await counts()).includes('steward_mqtt_messages_total{outcome="quarantined"} 10000'),
      60_000,
    );
    const metrics = await counts();
    // 4 stored by the test before, plus the valid ones here.
    expect(metrics).toContain(`steward_mqtt_messages_total{outcome="stored"} ${4 + valid}`);
    const table = spawnSync(
      'sqlite3',
      [path.join(dir, 'data', 'steward.db'), 'SELECT COUNT(*) FROM mqtt_quarantine'],
      { encoding: 'utf8' },
    );
    expect(Number(table.stdout.trim())).toBe(10_000);
    const list = runCli(['mqtt', 'quarantine', 'list', '--limit', '60', '--json', '-c', config], { env });
    expect(list.code).toBe(0);
    const rows = (
      JSON.parse(list.stdout) as { messages: { topic: string; reason: string; payloadExcerpt: string }[] }
    ).messages;
    expect(rows).toHaveLength(60);
    expect(rows.some((r) => r.payloadExcerpt.startsWith('hex:'))).toBe(true);
    expect(rows.every((r) => r.reason.length > 0)).toBe(true);
    expect((await fetch(`${daemon.url}/readyz`)).status).toBe(200);
  }, 120_000);
});
