import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, runCli, tempDir, writeConfig } from '../support/cli.js';
import { startMosquitto, type TestMosquitto } from '../support/mosquitto.js';

/** `steward mqtt check` proves the ACLs `steward mqtt apply` wrote, on a real Mosquitto 2. */
const dir = tempDir();
const env = { MQTT_PASSWORD: 'steward-secret-pw-1', NODE_PASSWORD: 'node-secret-pw-2' };
let broker: TestMosquitto;
let config: string;
const acl = () => path.join(dir, 'mq', 'acl');
const check = (...args: string[]) => runCli(['mqtt', 'check', ...args, '-c', config], { env });

interface Probe {
  user: string;
  rule: string;
  action: string;
  expected: string;
  observed: string;
  ok: boolean;
}

beforeAll(async () => {
  config = writeConfig(
    dir,
    await freePort(),
    `mqtt:
  mosquitto:
    dir: ./mq
    users:
      steward: { password: "\${MQTT_PASSWORD}", acl: [{ topic: "#", access: read }, { topic: "steward/#", access: readwrite }] }
      node-kitchen: { password: "\${NODE_PASSWORD}", acl: [{ topic: "sensors/kitchen/#", access: write }] }
    patterns: [{ topic: "nodes/%u/#", access: readwrite }]
  broker: { url: "mqtt://127.0.0.1:1", username: steward, password: "\${MQTT_PASSWORD}" }
`,
  );
  expect(runCli(['mqtt', 'apply', '-c', config], { env }).code).toBe(0);
  const mq = path.join(dir, 'mq');
  broker = await startMosquitto(`allow_anonymous false\npassword_file ${mq}/passwd\nacl_file ${mq}/acl\n`, {
    dir: fs.mkdtempSync(path.join(dir, 'broker-')),
  });
  fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace('mqtt://127.0.0.1:1"', `${broker.url}"`));
}, 60_000);

afterAll(async () => {
  await broker?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('steward mqtt check', () => {
  it('every allowed case is allowed and every denied case denied on the broker apply configured', () => {
    const r = check('--json');
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { ok: boolean; probes: Probe[]; anonymous: { observed: string } };
    expect(report.ok).toBe(true);
    expect(report.anonymous.observed).toBe('denied');
    const kitchen = report.probes.filter(
      (p) => p.user === 'node-kitchen' && p.rule.includes('sensors/kitchen'),
    );
    // The write rule: publishing is allowed, reading the same topic is denied, and both were observed.
    expect(kitchen).toContainEqual(
      expect.objectContaining({ action: 'publish', expected: 'allowed', observed: 'allowed' }),
    );
    expect(kitchen).toContainEqual(
      expect.objectContaining({ action: 'receive', expected: 'denied', observed: 'denied' }),
    );
    expect(report.probes.some((p) => p.rule.startsWith('pattern') && p.observed === 'allowed')).toBe(true);
    expect(r.stdout).not.toContain(env.MQTT_PASSWORD);
    const text = check();
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/node-kitchen\s+topic write sensors\/kitchen\/#\s+publish/);
    expect(text.stdout).toMatch(/anonymous login: expected refused, observed refused/);
    expect(text.stdout).not.toContain(env.NODE_PASSWORD);
  });

  it('an ACL file edited to be too open makes check fail, naming the rule', async () => {
    fs.appendFileSync(acl(), '\nuser node-kitchen\ntopic readwrite #\n');
    broker.reload();
    // The broker applies the reload asynchronously: wait until check sees it.
    let r = check('--json');
    for (let i = 0; i < 20 && r.code === 0; i++) {
      await new Promise((res) => setTimeout(res, 250));
      r = check('--json');
    }
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { ok: boolean; probes: Probe[] };
    expect(report.ok).toBe(false);
    const mismatches = report.probes.filter((p) => !p.ok);
    expect(mismatches.length).toBeGreaterThan(0);
    expect(
      mismatches.every(
        (p) => p.user === 'node-kitchen' && p.expected === 'denied' && p.observed === 'allowed',
      ),
    ).toBe(true);
    const text = check();
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/MISMATCH/);
    expect(text.stdout).toMatch(/FAILED: \d+ probes, [1-9]\d* mismatches/);
  });

  it('apply restores the configured ACL and check passes again', async () => {
    const applied = runCli(['mqtt', 'apply', '-c', config], { env });
    expect(applied.stdout).toContain('changed: ');
    // The test's broker keeps its pid file elsewhere: reload it the way reload.pid_file would.
    broker.reload();
    let r = check();
    for (let i = 0; i < 20 && r.code !== 0; i++) {
      await new Promise((res) => setTimeout(res, 250));
      r = check();
    }
    expect(r.code, r.stdout).toBe(0);
  });
});
