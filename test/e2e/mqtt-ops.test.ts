import fs from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, type RunningDaemon, runCli, startDaemon, tempDir, writeConfig } from '../support/cli.js';
import { startMosquitto, type TestMosquitto } from '../support/mosquitto.js';
import { until } from '../support/wait.js';

/** Retained hygiene and the publish-and-confirm self-test, against a real Mosquitto 2 and the daemon. */
const dir = tempDir();
const env = { MQTT_PASSWORD: 'steward-secret-pw-1', NODE_PASSWORD: 'node-secret-pw-2' };
let broker: TestMosquitto;
let daemon: RunningDaemon;
let config: string;

const cli = (...args: string[]) => runCli([...args, '-c', config], { env });
const json = (...args: string[]) => {
  const r = cli(...args, '--json');
  return { ...r, doc: r.stdout ? JSON.parse(r.stdout) : null };
};

async function publishRetained(messages: Record<string, string>): Promise<void> {
  const c = await mqtt.connectAsync(broker.url, {
    username: 'node-kitchen',
    password: env.NODE_PASSWORD,
    reconnectPeriod: 0,
  });
  for (const [topic, payload] of Object.entries(messages))
    await c.publishAsync(topic, payload, { qos: 1, retain: true });
  await c.endAsync();
}

/** What the broker really retains, read by a client of the test's own. */
async function retainedOnBroker(): Promise<string[]> {
  const c = await mqtt.connectAsync(broker.url, {
    username: 'steward',
    password: env.MQTT_PASSWORD,
    reconnectPeriod: 0,
  });
  const topics = new Set<string>();
  c.on('message', (topic, payload, packet) => {
    if (packet.retain && payload.length) topics.add(topic);
  });
  await c.subscribeAsync('#', { qos: 0 });
  await new Promise((r) => setTimeout(r, 500));
  await c.endAsync();
  return [...topics].sort();
}

beforeAll(async () => {
  const port = await freePort();
  config = writeConfig(
    dir,
    port,
    `mqtt:
  mosquitto:
    dir: ./mq
    users:
      steward:
        password: "\${MQTT_PASSWORD}"
        acl:
          - { topic: "#", access: read }
          - { topic: "steward/#", access: readwrite }
          - { topic: "legacy/#", access: readwrite }
          - { topic: "homeassistant/#", access: readwrite }
      node-kitchen: { password: "\${NODE_PASSWORD}", acl: [{ topic: "#", access: write }] }
  broker: { url: "mqtt://127.0.0.1:1", username: steward, password: "\${MQTT_PASSWORD}" }
  ingest:
    - { topic: "steward/selftest/+probe", format: number, metric: steward_mqtt_selftest }
  retained: { max_age: 30d, protect: ["homeassistant/#"], scan_every: 1h }
checks:
  mqtt-pipeline: { type: mqtt-selftest, interval: 3s, timeout: 3s, failure_threshold: 1 }
`,
  );
  expect(runCli(['mqtt', 'apply', '-c', config], { env }).code).toBe(0);
  const mq = path.join(dir, 'mq');
  broker = await startMosquitto(`allow_anonymous false\npassword_file ${mq}/passwd\nacl_file ${mq}/acl\n`, {
    dir: fs.mkdtempSync(path.join(dir, 'broker-')),
  });
  fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace('mqtt://127.0.0.1:1"', `${broker.url}"`));
  // One retained message before the daemon starts: its first scan records it, and once
  // /metrics counts it that scan is over (later messages are new to Steward).
  await publishRetained({ 'steward/marker': 'm' });
  daemon = await startDaemon(config, { port, env });
  await until('first retained scan', async () =>
    (await fetch(`${daemon.url}/metrics`).then((r) => r.text())).includes('steward_mqtt_retained_messages 1')
      ? true
      : undefined,
  );
}, 60_000);

afterAll(async () => {
  await daemon?.stop();
  await broker?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('mqtt retained', () => {
  it('lists retained messages with size and payload; the age is unknown until a second sighting', async () => {
    await publishRetained({
      'legacy/boiler/state': 'on',
      'legacy/boiler/mode': 'eco',
      'homeassistant/sensor/boiler/config': '{"name":"boiler"}',
      'sensors/kitchen/status': 'online',
    });
    const first = json('mqtt', 'retained', 'list', '--match', 'legacy/#');
    expect(first.code, first.stderr).toBe(0);
    expect(first.doc.entries.map((e: { topic: string }) => e.topic)).toEqual([
      'legacy/boiler/mode',
      'legacy/boiler/state',
    ]);
    expect(first.doc.entries[1]).toMatchObject({
      bytes: 2,
      payloadExcerpt: 'on',
      ageMs: null,
      protected: false,
    });
    const second = json('mqtt', 'retained', 'list');
    expect(
      second.doc.entries.find((e: { topic: string }) => e.topic === 'legacy/boiler/state').ageMs,
    ).not.toBeNull();
    const ha = second.doc.entries.find((e: { topic: string }) => e.topic.startsWith('homeassistant/'));
    expect(ha).toMatchObject({ protected: true, ageMs: null });
    const text = cli('mqtt', 'retained', 'list');
    expect(text.stdout).toMatch(/legacy\/boiler\/state\s+2\s+≥ /);
  });

  it('--dry-run clears nothing; protected topics are never cleared; a clear is audited', async () => {
    const dry = cli('mqtt', 'retained', 'clear', '--match', '#', '--dry-run');
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('would clear: legacy/boiler/state');
    expect(dry.stdout).toContain('protected, kept: homeassistant/sensor/boiler/config');
    expect(await retainedOnBroker()).toHaveLength(5);

    const protectedOnly = json('mqtt', 'retained', 'clear', '--match', 'homeassistant/#');
    expect(protectedOnly.code).toBe(0);
    expect(protectedOnly.doc.selected).toEqual([]);
    expect(await retainedOnBroker()).toContain('homeassistant/sensor/boiler/config');

    const cleared = json('mqtt', 'retained', 'clear', '--match', 'legacy/#');
    expect(cleared.code, cleared.stderr).toBe(0);
    expect(cleared.doc.outcomes.map((o: { result: string }) => o.result)).toEqual(['cleared', 'cleared']);
    expect(await retainedOnBroker()).toEqual([
      'homeassistant/sensor/boiler/config',
      'sensors/kitchen/status',
      'steward/marker',
    ]);
    const audit = json('audit', 'list', '--action', 'mqtt.retained_clear');
    expect(audit.stdout).toContain('legacy/boiler/state');
    // The dry run left no audit entry: only the two real clears did.
    expect(audit.doc.entries).toHaveLength(2);
  });

  it('--older-than clears only what Steward knows to be that old; a refused clear exits 1', async () => {
    await publishRetained({ 'legacy/old': 'x' });
    const unknown = json('mqtt', 'retained', 'clear', '--older-than', '1ms');
    // legacy/old is new to Steward: its age is unknown, so it is kept.
    expect(unknown.doc.ageUnknown.map((e: { topic: string }) => e.topic)).toContain('legacy/old');
    expect(unknown.doc.selected.map((e: { topic: string }) => e.topic)).not.toContain('legacy/old');
    // sensors/kitchen/status was seen before and is old enough, but steward may not write there.
    expect(unknown.code).toBe(1);
    expect(unknown.doc.outcomes).toContainEqual({
      topic: 'sensors/kitchen/status',
      result: 'not authorized',
    });
    const known = json('mqtt', 'retained', 'clear', '--match', 'legacy/#', '--older-than', '1ms');
    expect(known.code, known.stderr).toBe(0);
    expect(known.doc.outcomes).toEqual([{ topic: 'legacy/old', result: 'cleared' }]);
    const usage = cli('mqtt', 'retained', 'clear');
    expect(usage.code).toBe(2);
    expect(cli('mqtt', 'retained', 'clear', '--match', 'a/#/b').code).toBe(2);
  });
});

describe('mqtt selftest', () => {
  it('publishes a tagged message and finds its sample in the store', () => {
    const r = json('mqtt', 'selftest');
    expect(r.code, r.stderr).toBe(0);
    expect(r.doc).toMatchObject({
      ok: true,
      topic: 'steward/selftest/steward_selftest',
      metric: 'steward_mqtt_selftest',
      labels: { probe: 'steward_selftest' },
    });
    expect(r.doc.roundTripMs).toBeGreaterThanOrEqual(0);
    expect(cli('mqtt', 'selftest').stdout).toMatch(/^ok: stored \d+ ms after publishing/);
  });

  it('runs as a check: up while the pipeline works, down when the broker is gone', async () => {
    const state = () =>
      json('checks', 'list').doc.checks.find((c: { name: string }) => c.name === 'mqtt-pipeline') as {
        state: string;
        last?: { message: string };
      };
    await until('check up', async () => (state().state === 'up' ? true : undefined));
    await broker.stop();
    const down = await until('check down', async () => {
      const s = state();
      return s.state === 'down' ? s : undefined;
    });
    expect(down.last?.message).toMatch(/cannot connect/);
    const failed = cli('mqtt', 'selftest', '--timeout', '2s');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/^failed: cannot connect/);
  });
});
