import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CheckTargets, startCheckTargets } from '../support/check-targets.js';
import {
  api,
  freePort,
  type RunningDaemon,
  runCli,
  startDaemon,
  tempDir,
  writeConfig,
} from '../support/cli.js';
import { until } from '../support/wait.js';
import {
  type ReceivedHook,
  startWebhookReceiver,
  type WebhookReceiver,
} from '../support/webhook-receiver.js';

const dir = tempDir();
let daemon: RunningDaemon;
let targets: CheckTargets;
let hooks: WebhookReceiver;
let config: string;
let port: number;
let operator: string;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const to = (path: string, rule?: string) => async () =>
  (await hooks.received()).filter(
    (h) => h.path === path && (!rule || h.body.alerts.some((a) => a.rule === rule)),
  );
const kinds = (list: ReceivedHook[]) => list.map((h) => h.body.kind);

interface AlertJson {
  id: string;
  rule: string;
  state: string;
  labels: Record<string, string>;
}
async function alerts(): Promise<AlertJson[]> {
  return ((await api(daemon, 'GET', '/api/v1/alerts', operator)).body as { alerts: AlertJson[] }).alerts;
}
async function postSample(name: string, value: number) {
  const res = await fetch(`${daemon.url}/api/v1/metrics`, {
    method: 'POST',
    headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
    body: JSON.stringify({ samples: [{ name, labels: { site: 'north' }, value }] }),
  });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  targets = await startCheckTargets();
  hooks = await startWebhookReceiver(2);
  port = await freePort();
  const hook = (p: string) => `{ type: webhook, url: "${hooks.url}/${p}", secret: "hook-secret-123456" }`;
  config = writeConfig(
    dir,
    port,
    `checks:
  svc: { type: http, url: "http://127.0.0.1:${targets.httpPort}/switch", interval: 1s, timeout: 1s, failure_threshold: 1 }
alerts:
  defaults: false
  channels:
    primary: ${hook('primary')}
    flaky: ${hook('flaky')}
    dead: ${hook('dead')}
    oncall: ${hook('oncall')}
  routes:
    - match: { alertname: channel-failing }
      notify: [primary]
    - match: { alertname: svc-down }
      notify: [primary, flaky]
      repeat: 1h
      escalate: [ { after: 6s, notify: [oncall] } ]
    - match: { alertname: boiler-hot }
      notify: [primary, dead]
      repeat: 1s
  test: { schedule: "*/2 * * * * *", channels: [oncall] }
  rules:
    svc-down: { check: svc, state: down, severity: critical, summary: "svc is down: {{message}}" }
    boiler-hot: { metric: boiler_temp, op: ">", value: 90, severity: warning }
`,
  );
  daemon = await startDaemon(config, { port });
  const created = runCli(['token', 'create', '--name', 'op', '--role', 'operator', '--json', '-c', config]);
  operator = JSON.parse(created.stdout).token;
}, 60_000);

afterAll(async () => {
  await daemon?.stop();
  await targets?.stop();
  await hooks?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('alerting end to end', () => {
  it('retries a channel answering 500 with backoff and records one delivery; ack stops the escalation tier', async () => {
    await until('svc up', async () =>
      (
        (await api(daemon, 'GET', '/api/v1/checks', operator)).body as { checks: { state: string }[] }
      ).checks.every((c) => c.state === 'up'),
    );
    const before = (await to('/primary', 'svc-down')()).length;
    await targets.setHealthy(false);
    const ours = await until('firing on primary', async () =>
      (await to('/primary', 'svc-down')()).slice(before).find((h) => h.body.kind === 'firing'),
    );
    const alert = (await alerts()).find((a) => a.rule === 'svc-down' && a.state === 'triggered');
    expect(alert?.labels).toMatchObject({ alertname: 'svc-down', check: 'svc', severity: 'critical' });
    const ack = await api(daemon, 'POST', `/api/v1/alerts/${alert?.id}/ack`, operator, { comment: 'on it' });
    expect(ack.status).toBe(200);
    // The same notification went to flaky (the delivery header is the notification id): it
    // gets 500s, then a 200 after backoff (about 1 s, then 2 s), and is sent once.
    const attempts = async () => (await to('/flaky')()).filter((h) => h.delivery === ours.delivery);
    await until('flaky delivered', async () => (await attempts()).some((h) => h.status === 200));
    const statuses = (await attempts()).map((h) => h.status);
    expect(statuses.at(-1)).toBe(200);
    expect(statuses.filter((st) => st === 200)).toHaveLength(1);
    expect(statuses.length).toBeGreaterThan(1);
    await until('ack notice on primary', async () =>
      kinds(await to('/primary', 'svc-down')()).includes('acknowledged'),
    );
    const ackNotice = (await to('/primary', 'svc-down')()).find((h) => h.body.kind === 'acknowledged');
    expect(ackNotice?.body.alerts[0]?.acknowledgedBy).toBe('token:op');
    await sleep(7000); // past the 6 s escalation tier
    expect((await to('/oncall')()).filter((h) => h.body.kind !== 'test')).toEqual([]);
    const show = (await api(daemon, 'GET', `/api/v1/alerts/${alert?.id}`, operator)).body as {
      deliveries: { channel: string; state: string; attempts: number; kind: string }[];
      transitions: { to: string; actor: string; comment: string | null }[];
    };
    const flakyFiring = show.deliveries.filter((d) => d.channel === 'flaky' && d.kind === 'firing');
    expect(flakyFiring.at(-1)).toMatchObject({ state: 'sent', attempts: statuses.length });
    expect(show.transitions.slice(-2).map((t) => t.to)).toEqual(['triggered', 'acknowledged']);
    expect(show.transitions.at(-1)).toMatchObject({ actor: 'token:op', comment: 'on it' });
    await targets.setHealthy(true);
    await until('resolved on primary', async () =>
      kinds(await to('/primary', 'svc-down')()).includes('resolved'),
    );
  }, 60_000);

  it('raises its own alert through another channel when a channel keeps failing', async () => {
    await postSample('boiler_temp', 95);
    await until('boiler firing on primary', to('/primary', 'boiler-hot'));
    const failing = await until('channel-failing on primary', to('/primary', 'channel-failing'));
    expect(failing[0]?.body.alerts[0]?.labels).toMatchObject({
      alertname: 'channel-failing',
      channel: 'dead',
    });
    expect((await to('/dead', 'channel-failing')()).length).toBe(0);
  }, 30_000);

  it('stops repeats while a silence holds and resumes them when it ends', async () => {
    await until('repeats', async () => kinds(await to('/primary', 'boiler-hot')()).includes('repeat'));
    const created = await api(daemon, 'POST', '/api/v1/silences', operator, {
      matchers: ['alertname=boiler-hot'],
      duration: 3000,
      comment: 'boiler service',
    });
    expect(created.status).toBe(201);
    await sleep(300); // a repeat already on its way may still land
    const before = (await to('/primary', 'boiler-hot')()).length;
    await sleep(2300);
    expect((await to('/primary', 'boiler-hot')()).length).toBe(before);
    await until('repeats resume', async () => (await to('/primary', 'boiler-hot')()).length > before, 10_000);
    expect((await alerts()).find((a) => a.rule === 'boiler-hot')?.state).toBe('triggered');
  }, 30_000);

  it('after a restart while firing: no second first notification, and the repeats carry on', async () => {
    const firstsBefore = (await to('/primary', 'boiler-hot')()).filter(
      (h) => h.body.kind === 'firing',
    ).length;
    expect(firstsBefore).toBe(1);
    await daemon.stop('SIGKILL');
    const countBefore = (await to('/primary', 'boiler-hot')()).length;
    daemon = await startDaemon(config, { port });
    await until(
      'repeats after restart',
      async () => (await to('/primary', 'boiler-hot')()).length > countBefore + 1,
    );
    const firing = (await to('/primary', 'boiler-hot')()).filter((h) => h.body.kind === 'firing');
    expect(firing.length).toBe(1);
    await postSample('boiler_temp', 50);
    await until('boiler resolved', async () =>
      kinds(await to('/primary', 'boiler-hot')()).includes('resolved'),
    );
  }, 40_000);

  it('sends the scheduled test notification, marked as a test', async () => {
    const tests = await until('scheduled test', async () =>
      (await to('/oncall')()).filter((h) => h.body.kind === 'test'),
    );
    expect(tests[0]?.status).toBe(200);
    const [first] = tests;
    expect(first?.event).toBe('test');
    expect(first?.body.title.startsWith('[TEST]')).toBe(true);
  });

  it('exports alert and notification metrics that promtool accepts', async () => {
    const text = (await api(daemon, 'GET', '/metrics')).body as string;
    expect(text).toMatch(/^steward_notifications_total\{channel="primary",outcome="sent"\} [1-9]/m);
    expect(text).toMatch(/^steward_alerts_firing\{severity="critical"\} \d/m);
    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(promtool.error).toBeUndefined();
    expect(`${promtool.stdout}${promtool.stderr}`).toBe('');
  });

  it('lists, shows and tests from the CLI', () => {
    const list = runCli(['alerts', 'list', '--json', '-c', config]);
    expect(list.code).toBe(0);
    const rules = (JSON.parse(list.stdout) as { alerts: AlertJson[] }).alerts.map((a) => a.rule);
    expect(rules).toEqual(expect.arrayContaining(['svc-down', 'boiler-hot', 'channel-failing']));
    const test = runCli(['alerts', 'test', 'primary', '-c', config]);
    expect(test.code, test.stderr).toBe(0);
    expect(test.stdout).toContain('primary: sent');
    const dead = runCli(['alerts', 'test', 'dead', '--json', '-c', config]);
    expect(dead.code).toBe(1);
    expect(dead.stdout).not.toContain('hook-secret-123456');
  });
});
