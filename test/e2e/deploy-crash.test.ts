import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
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
import { until } from '../support/wait.js';

/**
 * kill -9 of the daemon in the middle of a deployment: after the restart the service runs
 * exactly one version, Live, and the record says how it got there.
 */
const dir = tempDir();
let daemon: RunningDaemon;
let config: string;
let port: number;
let appPort: number;
let admin: string;

interface View {
  id: string;
  state: string;
  error: string | null;
  serviceDeployments: { state: string; version: string | null }[];
  log: { message: string }[];
}

const writeRelease = (version: string, healthy: boolean) => {
  const www = path.join(dir, 'api', 'www');
  fs.rmSync(path.join(dir, 'api'), { recursive: true, force: true });
  fs.mkdirSync(www, { recursive: true });
  fs.writeFileSync(path.join(www, 'index.html'), `${version}\n`);
  if (healthy) fs.writeFileSync(path.join(www, 'health'), 'ok\n');
};

const show = async (id: string): Promise<View> =>
  (await api(daemon, 'GET', `/api/v1/deployments/${id}`, admin)).body as View;

async function deploy(): Promise<string> {
  const res = await api(daemon, 'POST', '/api/v1/deployments', admin, {});
  expect(res.status).toBe(202);
  return (res.body as { id: string }).id;
}

const start = async () => {
  daemon = await startDaemon(config, { port });
};

/** Processes serving the app's port: the supervised shells and their httpd children. */
const serving = () =>
  spawnSync('pgrep', ['-f', `httpd -f -p 127.0.0.1:${appPort} `], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean);

beforeAll(async () => {
  port = await freePort();
  appPort = await freePort();
  const recipient = runCli(['keygen', '--out', path.join(dir, 'backup.key')])
    .stdout.trim()
    .split('\n')
    .pop() as string;
  config = writeConfig(
    dir,
    port,
    `services:
  api:
    kind: native
    native: { releases_dir: ./releases, current: ./current, port: ${appPort}, run: "exec busybox httpd -f -p 127.0.0.1:{port} -h www" }
checks:
  api-health: { type: http, url: "http://127.0.0.1:${appPort}/health", interval: 1s, timeout: 500ms, service: api }
backups:
  encryption: { recipients: [${recipient}] }
  targets: { local: { type: local, path: ./backups } }
  jobs:
    pre:
      sources: [{ type: command, name: slow, run: "sleep 2; echo state > {dir}/state" }]
      targets: [local]
deploy:
  gate: { backups: [pre], health_timeout: 60s, consecutive_passes: 2, check_interval: 250ms }
`,
  );
  writeRelease('v1', true);
  await start();
  admin = JSON.parse(
    runCli(['token', 'create', '--name', 'e2e', '--role', 'admin', '--json', '-c', config]).stdout,
  ).token;
  const first = await deploy();
  await until('v1 live', async () => ((await show(first)).state === 'succeeded' ? true : undefined), 30_000);
}, 60_000);

afterAll(async () => {
  await daemon?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('kill -9 during a deployment', () => {
  it('in Testing: the restarted daemon gates the new version again and makes it Live', async () => {
    writeRelease('v2', false);
    const id = await deploy();
    await until('v2 testing', async () =>
      (await show(id)).serviceDeployments[0]?.state === 'testing' ? true : undefined,
    );
    await daemon.stop('SIGKILL');
    await start();
    const view0 = await until('recovery started', async () => {
      const v = await show(id);
      return v.log.some((l) => l.message.includes('recovering')) ? v : undefined;
    });
    expect(view0.state).toBe('running');
    // The fix lands while it is gated again: the health file appears in the installed release.
    const version = view0.serviceDeployments[0]?.version ?? '';
    fs.writeFileSync(path.join(dir, 'releases', version, 'www', 'health'), 'ok\n');
    const view = await until(
      'recovered',
      async () => {
        const v = await show(id);
        return v.state === 'running' ? undefined : v;
      },
      30_000,
    );
    expect(view.state).toBe('succeeded');
    expect(view.error).toMatch(/recovered at restart/);
    expect(view.serviceDeployments[0]?.state).toBe('live');
    const served = await fetch(`http://127.0.0.1:${appPort}/index.html`).then((r) => r.text());
    expect(served).toBe('v2\n');
    // One version runs: the orphan the killed daemon left was stopped (one shell exec'd into httpd).
    expect(serving()).toHaveLength(1);
  }, 60_000);

  it('while queued: the deployment survives the restart and runs', async () => {
    writeRelease('v3', true);
    // Frozen, so it cannot take the deployment before it is killed.
    daemon.child.kill('SIGSTOP');
    const res = runCli(['deploy', 'apply', '--no-wait', '--json', '-c', config]);
    expect(res.code).toBe(0);
    const id = (JSON.parse(res.stdout) as { id: string }).id;
    daemon.child.kill('SIGKILL');
    await daemon.exited;
    await start();
    const view = await until(
      'v3 deployed',
      async () => {
        const v = await show(id);
        return ['queued', 'running'].includes(v.state) ? undefined : v;
      },
      30_000,
    );
    expect(view.state).toBe('succeeded');
    const served = await fetch(`http://127.0.0.1:${appPort}/index.html`).then((r) => r.text());
    expect(served).toBe('v3\n');
    expect(serving()).toHaveLength(1);
  }, 60_000);

  it('plan shows the per-key diff; apply waits for the daemon and exits 0; rollback returns to the previous one', async () => {
    writeRelease('v4', true);
    const plan = runCli(['deploy', 'plan', '-c', config]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/~ api \(native\) changes/);
    expect(plan.stdout).toMatch(/~ tree: /);
    const applied = runCli(['deploy', 'apply', '--json', '-c', config]);
    expect(applied.code).toBe(0);
    expect((JSON.parse(applied.stdout) as View).state).toBe('succeeded');
    const again = runCli(['deploy', 'plan', '--json', '-c', config]);
    expect((JSON.parse(again.stdout) as { entries: { action: string }[] }).entries[0]?.action).toBe(
      'unchanged',
    );
    const back = runCli(['rollback', 'api', '--json', '-c', config]);
    expect(back.code).toBe(0);
    expect((JSON.parse(back.stdout) as View).state).toBe('succeeded');
    expect(await fetch(`http://127.0.0.1:${appPort}/index.html`).then((r) => r.text())).toBe('v3\n');
  }, 60_000);

  it('in the backup gate: nothing had changed, so it is queued again and completes', async () => {
    writeRelease('v5', true);
    const id = await deploy();
    await until('backup gate running', async () =>
      (await show(id)).log.some((l) => l.message.includes('backup pre: starting')) ? true : undefined,
    );
    await daemon.stop('SIGKILL');
    await start();
    const view = await until(
      'interrupted one closed',
      async () => {
        const v = await show(id);
        return v.state === 'running' ? undefined : v;
      },
      30_000,
    );
    expect(view.state).toBe('failed');
    expect(view.error).toMatch(/interrupted before any service changed; queued again as (\w+)/);
    const againId = /queued again as (\w+)/.exec(view.error ?? '')?.[1] ?? '';
    const again = await until(
      'recovery deployment',
      async () => {
        const v = await show(againId);
        return ['queued', 'running'].includes(v.state) ? undefined : v;
      },
      30_000,
    );
    expect(again.state).toBe('succeeded');
    expect(await fetch(`http://127.0.0.1:${appPort}/index.html`).then((r) => r.text())).toBe('v5\n');
    expect(serving()).toHaveLength(1);
  }, 60_000);

  it('steward logs prints the supervised output with timestamps; steward systemd unit prints a hardened unit', () => {
    const logs = runCli(['logs', 'api', '-n', '50', '-c', config]);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/^\d{4}-\d{2}-\d{2}T\S+Z steward started pid \d+/m);
    const since = runCli(['logs', 'api', '--since', '1s', '-c', config]);
    expect(since.stdout.split('\n').filter(Boolean).length).toBeLessThan(
      logs.stdout.split('\n').filter(Boolean).length,
    );
    const unit = runCli(['systemd', 'unit', 'api', '-c', config]);
    expect(unit.code).toBe(0);
    expect(unit.stdout).toContain('NoNewPrivileges=yes');
    expect(unit.stdout).toContain('ProtectSystem=strict');
    expect(unit.stdout).toContain(`WorkingDirectory=${path.join(dir, 'current')}`);
    expect(runCli(['systemd', 'unit', 'nope', '-c', config]).code).toBe(1);
  });
});
