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

const dir = tempDir();
let daemon: RunningDaemon;
let targets: CheckTargets;
let config: string;
let port: number;
let viewer: string;
const FIXED_TOKEN = 'e2e-fixed-token-0123456789';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface CheckJson {
  name: string;
  state: string;
  since: string;
  last: { status: string; message: string; latencyMs: number | null; at: string } | null;
}
interface Change {
  from: string;
  to: string;
  reason: string;
  at: string;
}

async function checks(): Promise<Record<string, CheckJson>> {
  const res = await api(daemon, 'GET', '/api/v1/checks', viewer);
  expect(res.status).toBe(200);
  return Object.fromEntries((res.body as { checks: CheckJson[] }).checks.map((c) => [c.name, c]));
}

async function history(name: string): Promise<Change[]> {
  const res = await api(daemon, 'GET', `/api/v1/checks/${name}/history`, viewer);
  expect(res.status).toBe(200);
  return (res.body as { changes: Change[] }).changes.reverse();
}

const stateOf = (name: string, state: string) => () => checks().then((c) => c[name]?.state === state);

beforeAll(async () => {
  targets = await startCheckTargets();
  port = await freePort();
  const h = `http://127.0.0.1:${targets.httpPort}`;
  config = writeConfig(
    dir,
    port,
    `checks:
  web: { type: http, url: "${h}/ok", interval: 300ms, timeout: 250ms, expect: { body_contains: ok }, service: core }
  flappy: { type: http, url: "${h}/flap", interval: 500ms, timeout: 500ms }
  switch: { type: http, url: "${h}/switch", interval: 300ms, timeout: 300ms, success_threshold: 2 }
  hangs: { type: http, url: "http://127.0.0.1:${targets.hangPort}/", interval: 500ms, timeout: 300ms }
  steady: { type: tcp, host: 127.0.0.1, port: ${targets.httpPort}, interval: 20s, timeout: 2s }
  refused: { type: tcp, host: 127.0.0.1, port: ${targets.closedPort}, interval: 20s, timeout: 2s, failure_threshold: 1 }
  nightly: { type: heartbeat, grace: 1500ms, interval: 200ms }
  fixed: { type: heartbeat, grace: 1h, interval: 1s, token: ${FIXED_TOKEN} }
host_metrics: { interval: 1s, filesystems: ["/"] }
`,
  );
  daemon = await startDaemon(config, { port });
  const created = runCli(['token', 'create', '--name', 'viewer', '--role', 'viewer', '--json', '-c', config]);
  viewer = JSON.parse(created.stdout).token;
});

afterAll(async () => {
  await daemon?.stop();
  await targets?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('checks in the daemon', () => {
  it('marks a hanging target down at its timeout without delaying the other checks', async () => {
    await until('hangs down', stateOf('hangs', 'down'));
    const c = await checks();
    expect(c.hangs?.last?.message).toBe('timed out after 300 ms');
    const before = Date.parse(c.web?.last?.at ?? '');
    await sleep(1000);
    const after = Date.parse((await checks()).web?.last?.at ?? '');
    expect(after - before).toBeGreaterThan(0);
    expect((await checks()).web?.state).toBe('up');
    expect(await history('hangs')).toMatchObject([{ from: 'unknown', to: 'down' }]);
  });

  it('does not flap on an alternating target: state changes only per the thresholds', async () => {
    await until('flappy probed 10 times', async () => (await targets.flapCount()) >= 10);
    const flappy = await history('flappy');
    expect(flappy, JSON.stringify(flappy)).toMatchObject([{ from: 'unknown', to: 'up' }]);
  });

  it('goes down after failure_threshold failures and back up after success_threshold successes, with reasons', async () => {
    await until('switch up', stateOf('switch', 'up'));
    await targets.setHealthy(false);
    await until('switch down', stateOf('switch', 'down'));
    await targets.setHealthy(true);
    await until('switch up again', stateOf('switch', 'up'));
    const changes = await history('switch');
    expect(
      changes.map((ch) => `${ch.from}>${ch.to}`),
      JSON.stringify(changes),
    ).toEqual(['unknown>up', 'up>down', 'down>up']);
    expect(changes[1]?.reason).toContain('HTTP 503');
  });

  it('lists checks on the CLI and shows them in the status health table', () => {
    const list = runCli(['checks', 'list', '--json', '-c', config]);
    expect(list.code).toBe(0);
    const names = (JSON.parse(list.stdout) as { checks: CheckJson[] }).checks.map((c) => c.name);
    expect(names).toEqual(['fixed', 'flappy', 'hangs', 'nightly', 'refused', 'steady', 'switch', 'web']);
    const status = runCli(['status', '-c', config], { env: { NO_COLOR: '1' } });
    expect(status.stdout, status.stdout).toMatch(/web\s+core\s+up/);
    const run = runCli(['checks', 'run', 'refused', '--json', '-c', config]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).result).toMatchObject({
      status: 'down',
      message: expect.stringContaining('refused'),
    });
    expect(runCli(['checks', 'run', 'nope', '-c', config]).code).toBe(1);
  });
});

describe('heartbeat checks', () => {
  const ping = (token: string, suffix = '', method = 'POST') =>
    fetch(`${daemon.url}/api/v1/heartbeat/${token}${suffix}`, {
      method,
      body: method === 'POST' ? 'log line' : undefined,
    });

  it('goes down when no ping arrives within grace, up on a ping, down at once on /fail', async () => {
    await until('nightly late', stateOf('nightly', 'down'));
    expect((await checks()).nightly?.last?.message).toContain('no ping since the check was created');
    const urls = runCli(['checks', 'ping-url', 'nightly', '--json', '-c', config]);
    const pingUrl: string = JSON.parse(urls.stdout).ping;
    const token = pingUrl.split('/').pop() as string;
    expect(token.length).toBeGreaterThanOrEqual(20);
    expect(await (await ping(token, '', 'GET')).json()).toMatchObject({ ok: true, state: 'up' });
    expect(await (await ping(token, '/start')).json()).toMatchObject({ ok: true, state: 'up' });
    expect(await (await ping(token, '/fail')).json()).toMatchObject({ ok: true, state: 'down' });
    const changes = await history('nightly');
    expect(changes.map((c) => c.to)).toEqual(['down', 'up', 'down']);
    expect(changes[2]?.reason).toContain('reported failure');
  });

  it('answers an unknown token exactly like an unknown URL', async () => {
    const res = await ping('not-a-real-token-000000000');
    const other = await fetch(`${daemon.url}/api/v1/heartbeat-nope`, { method: 'POST' });
    expect(res.status).toBe(404);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(((await other.json()) as typeof body).error.code);
    expect(body.error.message).toBe('no route POST /api/v1/heartbeat/not-a-real-token-000000000');
  });

  it('rate-limits a flood of pings and stays healthy', async () => {
    const results = await Promise.all(
      Array.from({ length: 150 }, () => ping(FIXED_TOKEN).then((r) => r.status)),
    );
    expect(results.filter((s) => s === 200).length).toBe(60);
    expect(results.filter((s) => s === 429).length).toBe(90);
    const misses = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        ping(`guess-${String(i).padStart(20, '0')}`).then((r) => r.status),
      ),
    );
    expect(misses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect((await fetch(`${daemon.url}/healthz`)).status).toBe(200);
    expect((await checks()).fixed?.state).toBe('up');
  });
});

describe('Prometheus export', () => {
  it('exports check and host metrics that promtool accepts', async () => {
    await until('host metrics', async () => {
      const text = (await api(daemon, 'GET', '/metrics')).body as string;
      return text.includes('steward_host_cpu_usage_ratio ') && text;
    });
    const text = (await api(daemon, 'GET', '/metrics')).body as string;
    expect(text).toContain('steward_check_up{check="web",service="core"} 1');
    expect(text).toContain('steward_check_up{check="hangs",service=""} 0');
    expect(text).toMatch(/steward_check_latency_seconds\{check="web"\} \d/);
    expect(text).toMatch(/steward_check_state_changes_total\{check="switch"\} 3/);
    expect(text).toMatch(/steward_host_filesystem_avail_bytes\{mountpoint="\/"\} \d/);
    expect(text).toContain('steward_check_schedule_lag_seconds{quantile="0.99"}');
    expect(text).toMatch(/^steward_store_size_bytes [1-9]\d+$/m);
    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(promtool.error).toBeUndefined();
    expect(`${promtool.stdout}${promtool.stderr}`).toBe('');
    expect(promtool.status).toBe(0);
  });

  it('stores check latency and host samples in the metrics store', async () => {
    const q = (name: string) =>
      api(
        daemon,
        'GET',
        `/api/v1/metrics/query?name=${name}&from=${Date.now() - 60_000}&to=${Date.now()}&step=1s`,
        viewer,
      );
    await until(
      'latency stored',
      async () =>
        ((await q('steward_check_latency_seconds')).body as { series: unknown[] }).series.length > 0,
    );
    const host = (await q('steward_host_memory_available_bytes')).body as { series: { points: unknown[] }[] };
    expect(host.series[0]?.points.length).toBeGreaterThan(0);
  });
});

describe('a restart', () => {
  it('mid-interval keeps state and history: no duplicate change, no gap marked up', async () => {
    await until(
      'steady and refused probed',
      async () => {
        const c = await checks();
        return c.steady?.state === 'up' && c.refused?.state === 'down';
      },
      25_000,
    );
    const before = { steady: await history('steady'), refused: await history('refused') };
    const lastChecked = (await checks()).steady?.last?.at;
    await daemon.stop('SIGKILL');
    daemon = await startDaemon(config, { port });
    expect((await checks()).steady?.state).toBe('up');
    await until(
      'steady probed after the restart',
      async () => (await checks()).steady?.last?.at !== lastChecked,
      25_000,
    );
    expect(await history('steady')).toEqual(before.steady);
    expect(await history('refused')).toEqual(before.refused);
    // web's interval (300 ms) is shorter than the restart: the gap is recorded as unknown, not up.
    const web = await history('web');
    const gap = web.find((c) => c.to === 'unknown');
    expect(gap?.reason).toContain('Steward was not running');
  }, 60_000);
});
