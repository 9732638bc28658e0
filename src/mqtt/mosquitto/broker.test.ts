import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/cli.js';
import { startMosquitto, type TestMosquitto } from '../../../test/support/mosquitto.js';
import { renderAclFile, renderConfSnippet, renderPasswdFile } from './files.js';

// The files rendered here, read by a real Mosquitto 2 broker that includes steward.conf.

const users = [
  {
    name: 'sensor',
    password: 'pw-sensor-4d1',
    acl: [{ topic: 'sensors/#', access: 'write' as const }],
  },
  {
    name: 'reader',
    password: 'pw-reader-9a7',
    acl: [
      { topic: 'sensors/secret', access: 'deny' as const },
      { topic: 'sensors/#', access: 'read' as const },
      { topic: 'control/#', access: 'read' as const },
      { topic: 'nodes/#', access: 'read' as const },
    ],
  },
  { name: 'node1', password: 'pw-node1-c3e', acl: [] },
];
const patterns = [{ topic: 'nodes/%u/#', access: 'readwrite' as const }];

let dir: string;
let broker: TestMosquitto;
let snippetUrl: string;
const clients: MqttClient[] = [];

async function connect(url: string, username: string, password: string): Promise<MqttClient> {
  const client = await connectAsync(url, { username, password, reconnectPeriod: 0, connectTimeout: 10_000 });
  clients.push(client);
  return client;
}

async function refusal(url: string, username: string, password: string): Promise<Error> {
  try {
    await connect(url, username, password);
  } catch (err) {
    return err as Error;
  }
  throw new Error(`${username} was let in`);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stw-mqfiles-'));
  const port = await freePort();
  writeFileSync(join(dir, 'passwd'), renderPasswdFile(users, new Map()).text);
  writeFileSync(join(dir, 'acl'), renderAclFile({ users, patterns }));
  writeFileSync(
    join(dir, 'steward.conf'),
    renderConfSnippet({
      listeners: [{ port, bind: '127.0.0.1' }],
      passwordFile: join(dir, 'passwd'),
      aclFile: join(dir, 'acl'),
      persistence: false,
    }),
  );
  // The test broker's own listener comes first; the snippet adds a second one and the auth.
  broker = await startMosquitto(`include_dir ${dir}\n`);
  snippetUrl = `mqtt://127.0.0.1:${port}`;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
  if (broker) rmSync(broker.dir, { recursive: true, force: true });
});

describe('files rendered by Steward, read by a real Mosquitto 2', () => {
  it('authenticates configured users on every listener and refuses the rest', async () => {
    for (const url of [snippetUrl, broker.url]) {
      const client = await connect(url, 'sensor', 'pw-sensor-4d1');
      expect(client.connected).toBe(true);
      expect((await refusal(url, 'sensor', 'pw-sensor-4d2')).message).toMatch(
        /Not authorized|Bad username or password/i,
      );
      expect((await refusal(url, 'mallory', 'pw-sensor-4d1')).message).toMatch(
        /Not authorized|Bad username or password/i,
      );
      expect((await refusal(url, '', '')).message).toMatch(
        /Not authorized|Bad username or password|identifier/i,
      );
    }
  });

  it('enforces the ACL: allowed messages arrive, denied publishes and deny entries are dropped', async () => {
    const reader = await connect(snippetUrl, 'reader', 'pw-reader-9a7');
    const received: string[] = [];
    reader.on('message', (topic) => received.push(topic));
    const granted = await reader.subscribeAsync(['sensors/#', 'control/#', 'nodes/#'], { qos: 1 });
    expect(granted.map((g) => g.qos)).toEqual([1, 1, 1]);

    const sensor = await connect(snippetUrl, 'sensor', 'pw-sensor-4d1');
    const node = await connect(snippetUrl, 'node1', 'pw-node1-c3e');
    // MQTT 3.1.1 has no way to refuse a publish: Mosquitto acks and drops it. So each denied
    // message is followed, on the same connection, by an allowed sentinel: Mosquitto keeps a
    // publisher's order, so once a sentinel is in, an earlier message that got through would be too.
    await sensor.publishAsync('sensors/temp', '21', { qos: 1 });
    await sensor.publishAsync('control/reboot', 'x', { qos: 1 }); // sensor may not write control/
    await sensor.publishAsync('sensors/secret', 'x', { qos: 1 }); // reader's deny entry
    await sensor.publishAsync('sensors/done', '1', { qos: 1 });
    await node.publishAsync('nodes/node1/state', 'up', { qos: 1 }); // the %u pattern
    await node.publishAsync('nodes/node2/state', 'spoof', { qos: 1 }); // someone else's node
    await node.publishAsync('nodes/node1/done', '1', { qos: 1 });

    const deadline = Date.now() + 10_000;
    while (
      !(received.includes('sensors/done') && received.includes('nodes/node1/done')) &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 25));
    }
    // And a generous extra window for anything out of order (a negative test cannot do better).
    await new Promise((r) => setTimeout(r, 1000));
    expect(received.sort()).toEqual([
      'nodes/node1/done',
      'nodes/node1/state',
      'sensors/done',
      'sensors/temp',
    ]);
    expect(broker.log()).toContain('Denied PUBLISH from');
  });
});
