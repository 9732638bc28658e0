import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/support/cli.js';
import { startMosquitto, type TestMosquitto } from '../../../test/support/mosquitto.js';
import type { AclEntry } from '../mosquitto/index.js';
import { renderAclFile, renderPasswdFile } from '../mosquitto/index.js';
import { type AclReport, type ProveUser, proveAcl } from './index.js';

// proveAcl against one real Mosquitto 2, whose passwd and acl files are rendered by Steward.

const users: ProveUser[] = [
  {
    name: 'node-kitchen',
    password: 'pw-kitchen-71c',
    acl: [{ topic: 'sensors/kitchen/#', access: 'write' }],
  },
  {
    name: 'steward',
    password: 'pw-steward-2e9',
    acl: [
      { topic: '#', access: 'read' },
      { topic: 'steward/#', access: 'readwrite' },
    ],
  },
  {
    name: 'reader',
    password: 'pw-reader-5b0',
    acl: [
      { topic: 'sensors/#', access: 'read' },
      { topic: 'sensors/kitchen/secret', access: 'deny' },
    ],
  },
];
const patterns: AclEntry[] = [
  { topic: 'nodes/%u/#', access: 'readwrite' },
  { topic: 'clients/%c/status', access: 'write' },
];

let dir: string;
let broker: TestMosquitto;

function writeAcl(list: readonly ProveUser[]): void {
  writeFileSync(join(dir, 'acl'), renderAclFile({ users: list, patterns }));
}

/** Polls until `ready()` after a SIGHUP (the broker reloads asynchronously); a hang guard, not a timing check. */
async function reloadUntil(ready: () => Promise<boolean>): Promise<void> {
  broker.reload();
  const deadline = Date.now() + 15_000;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`the broker did not reload:\n${broker.log().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Whether a QoS 1 publish is acked as allowed (MQTT 5 PUBACK reason < 128). */
async function canPublish(username: string | undefined, password: string | undefined, topic: string) {
  let client: mqtt.MqttClient | undefined;
  try {
    client = await mqtt.connectAsync(broker.url, {
      username,
      password,
      protocolVersion: 5,
      reconnectPeriod: 0,
    });
    if (topic !== '') await client.publishAsync(topic, 'x', { qos: 1 });
    return true;
  } catch {
    return false;
  } finally {
    await client?.endAsync(true);
  }
}

function run(over: Partial<Parameters<typeof proveAcl>[0]> = {}): Promise<AclReport> {
  return proveAcl({ url: broker.url, users, patterns, anonymousAllowed: false, waitMs: 1000, ...over });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stw-aclcheck-'));
  writeFileSync(join(dir, 'passwd'), renderPasswdFile(users, new Map()).text);
  writeAcl(users);
  broker = await startMosquitto(
    `allow_anonymous false\npassword_file ${join(dir, 'passwd')}\nacl_file ${join(dir, 'acl')}\n`,
    { dir },
  );
});

afterAll(async () => {
  await broker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('proveAcl against a real Mosquitto', () => {
  it('finds every allowed case allowed and every denied case denied', async () => {
    const report = await run();
    const wrong = report.probes.filter((p) => !p.ok);
    expect(wrong).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.anonymous).toEqual({ expected: 'denied', observed: 'denied', ok: true });
    const verified = report.probes.filter((p) => p.observed !== 'unverified');
    for (const p of verified) expect(p.observed).toBe(p.expected);
    // Both kinds, both actions, were really observed.
    const seen = new Set(verified.map((p) => `${p.action} ${p.observed}`));
    expect([...seen].sort()).toEqual([
      'publish allowed',
      'publish denied',
      'receive allowed',
      'receive denied',
    ]);
    // Read through a deny line and through a %c pattern: the cases the model has to get right.
    expect(report.probes).toContainEqual(
      expect.objectContaining({
        user: 'reader',
        rule: 'topic deny sensors/kitchen/secret',
        action: 'receive',
        observed: 'denied',
      }),
    );
    expect(report.probes).toContainEqual(
      expect.objectContaining({
        user: 'steward',
        rule: 'pattern write clients/%c/status',
        action: 'publish',
        observed: 'allowed',
      }),
    );
    const unverified = report.probes.filter((p) => p.observed === 'unverified');
    expect(report.counts).toEqual({
      probes: report.probes.length,
      mismatches: 0,
      unverified: unverified.length,
    });
    for (const p of unverified) expect(p.note).toMatch(/cannot be tested/);
  }, 90_000);

  it('reports a wrong password as login refused, with the fix', async () => {
    const report = await run({
      users: users.map((u) => (u.name === 'reader' ? { ...u, password: 'nope' } : u)),
    });
    expect(report.ok).toBe(false);
    const reader = report.probes.filter((p) => p.user === 'reader');
    expect(reader.length).toBeGreaterThan(0);
    for (const p of reader) {
      expect(p).toMatchObject({ observed: 'login refused', ok: false });
      expect(p.note).toMatch(/steward mqtt apply/);
    }
    const others = report.probes.filter((p) => p.user !== 'reader');
    for (const p of others) expect(p.ok).toBe(true);
    expect(report.counts.mismatches).toBe(reader.length);
  }, 90_000);

  it('fails anonymous access unless it is configured', async () => {
    const conf = readFileSync(broker.configFile, 'utf8');
    writeFileSync(broker.configFile, conf.replace('allow_anonymous false', 'allow_anonymous true'));
    try {
      await reloadUntil(() => canPublish(undefined, undefined, ''));
      const refused = await run({ users: [] });
      expect(refused.ok).toBe(false);
      expect(refused.anonymous).toEqual({ expected: 'denied', observed: 'allowed', ok: false });
      const allowed = await run({ users: [], anonymousAllowed: true });
      expect(allowed.ok).toBe(true);
      expect(allowed.anonymous).toEqual({ expected: 'allowed', observed: 'allowed', ok: true });
    } finally {
      writeFileSync(broker.configFile, conf);
      await reloadUntil(async () => !(await canPublish(undefined, undefined, '')));
    }
  }, 90_000);

  it('fails when the acl file on the broker is more open than the configuration', async () => {
    const tooOpen = users.map((u) =>
      u.name === 'node-kitchen' ? { ...u, acl: [...u.acl, { topic: '#', access: 'readwrite' as const }] } : u,
    );
    writeAcl(tooOpen);
    try {
      await reloadUntil(() => canPublish('node-kitchen', 'pw-kitchen-71c', 'elsewhere/probe'));
      const report = await run();
      expect(report.ok).toBe(false);
      const wrong = report.probes.filter((p) => !p.ok);
      expect(wrong.length).toBeGreaterThan(0);
      // Only node-kitchen's denials fail, and they fail as allowed.
      for (const p of wrong)
        expect(p).toMatchObject({ user: 'node-kitchen', expected: 'denied', observed: 'allowed' });
      const named = wrong.map((p) => `${p.rule} / ${p.action}`);
      expect(named).toContain('topic write sensors/kitchen/# / receive');
      expect(named).toContain('outside every rule / publish');
      expect(report.counts.mismatches).toBe(wrong.length);
    } finally {
      writeAcl(users);
      await reloadUntil(async () => !(await canPublish('node-kitchen', 'pw-kitchen-71c', 'elsewhere/probe')));
    }
  }, 90_000);

  it('says so when there is no broker to check', async () => {
    const url = `mqtt://127.0.0.1:${await freePort()}`;
    await expect(proveAcl({ url, users, patterns, anonymousAllowed: false })).rejects.toMatchObject({
      code: 'E_EXTERNAL',
      message: expect.stringMatching(/cannot reach the MQTT broker/),
    });
  });
});
