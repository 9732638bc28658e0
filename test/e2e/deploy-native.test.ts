import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitFixture, gitFixture } from '../../src/deploy/gitops/test-support.js';
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

// GitHub's documented webhook test vector.
const SECRET = "It's a Secret to Everybody";
const VECTOR_BODY = 'Hello, World!';
const VECTOR_SIGNATURE = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

const dir = tempDir();
let repo: GitFixture;
let daemon: RunningDaemon;
let config: string;
let proxyPort: number;
let port: number;
let colours: number[] = [];
let admin: string;

interface DeploymentJson {
  id: string;
  state: string;
  trigger: string;
  commit: string | null;
  serviceDeployments: { service: string; state: string; reason: string | null }[];
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

/** One GET through Steward's proxy on a keep-alive connection: status and body. */
function get(route: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: proxyPort, path: route, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

const release = (version: string, healthy = true) => ({
  'stack/api/www/index.html': `${version}\n`,
  'stack/api/www/health': healthy ? 'ok\n' : null,
});

async function deployments(): Promise<DeploymentJson[]> {
  const res = await api(daemon, 'GET', '/api/v1/deployments', admin);
  expect(res.status).toBe(200);
  return (res.body as { deployments: DeploymentJson[] }).deployments;
}

const finished = (commit: string) => () =>
  deployments().then((list) => {
    const d = list.find((x) => x.commit === commit);
    return d && !['queued', 'running'].includes(d.state) ? d : undefined;
  });

beforeAll(async () => {
  repo = await gitFixture('main');
  await repo.commit('v1', release('v1'));
  port = await freePort();
  proxyPort = await freePort();
  const [blue, green] = [await freePort(), await freePort()];
  colours = [blue, green];
  config = writeConfig(
    dir,
    port,
    `services:
  api:
    kind: native
    strategy: blue-green
    native:
      releases_dir: ./releases
      current: ./current
      run: "exec busybox httpd -f -p 127.0.0.1:{port} -h www"
    blue_green: { ports: [${blue}, ${green}], listen: "127.0.0.1:${proxyPort}", health_path: /health, drain_timeout: 5s }
    checks: [api-http]
    exposure: { on_healthy: "echo healthy >> exposure.log", on_unhealthy: "echo unhealthy >> exposure.log", debounce: 500ms }
checks:
  api-http: { type: http, url: "http://127.0.0.1:${proxyPort}/health", interval: 500ms, timeout: 400ms }
deploy:
  source: { git: { url: "${repo.url}", branch: main, path: stack, poll: 1s } }
  webhook: { provider: github, secret: "${SECRET}" }
  gate: { health_timeout: 4s, consecutive_passes: 2, check_interval: 250ms }
`,
  );
  daemon = await startDaemon(config, { port });
  admin = JSON.parse(
    runCli(['token', 'create', '--name', 'e2e', '--role', 'admin', '--json', '-c', config]).stdout,
  ).token;
}, 60_000);

afterAll(async () => {
  agent.destroy();
  await daemon?.stop();
  await repo?.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('native blue/green from git', () => {
  it('deploys the first commit by polling, behind the proxy', async () => {
    const head = (await repo.git(['rev-parse', 'HEAD'])).trim();
    const d = await until('first deployment', finished(head), 30_000);
    expect(d.state).toBe('succeeded');
    expect(d.trigger).toBe('poll');
    expect(d.serviceDeployments).toEqual([expect.objectContaining({ service: 'api', state: 'live' })]);
    expect((await get('/index.html')).body).toBe('v1\n');
    const current = fs.readlinkSync(path.join(dir, 'current'));
    expect(current).toContain('releases');
  });

  it('switches to a new commit with zero failed requests under continuous load', async () => {
    let stop = false;
    let ok = 0;
    const failures: string[] = [];
    const seen = new Set<string>();
    const loop = async () => {
      while (!stop) {
        try {
          const res = await get('/index.html');
          if (res.status === 200) {
            ok++;
            seen.add(res.body.trim());
          } else failures.push(`HTTP ${res.status}`);
        } catch (err) {
          failures.push(String(err));
        }
      }
    };
    const loops = [loop(), loop(), loop(), loop()];
    const commit = await repo.commit('v2', release('v2'));
    const d = await until('v2 deployment', finished(commit), 30_000);
    await until('v2 served', () => get('/index.html').then((r) => r.body === 'v2\n'), 10_000);
    stop = true;
    await Promise.all(loops);
    expect(d.state).toBe('succeeded');
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(0);
    expect([...seen].sort()).toEqual(['v1', 'v2']);
  });

  it('rolls back a commit whose health check fails, raises an alert, keeps serving the previous one', async () => {
    const commit = await repo.commit('v3 without health', release('v3', false));
    const d = await until('v3 deployment', finished(commit), 30_000);
    expect(d.state).toBe('rolled_back');
    expect(d.serviceDeployments[0]?.state).toBe('rolled_back');
    expect(d.serviceDeployments[0]?.reason).toMatch(/not healthy within/);
    expect((await get('/index.html')).body).toBe('v2\n');
    const alerts = await until('deploy alert', async () => {
      const res = await api(daemon, 'GET', '/api/v1/alerts', admin);
      const list = (res.body as { alerts: { rule: string; state: string }[] }).alerts;
      return list.filter((a) => a.rule === 'deploy-rolled-back');
    });
    expect(alerts[0]?.state).toBe('triggered');
    const shown = runCli(['deploy', 'show', d.id, '--json', '-c', config]);
    expect(shown.code).toBe(0);
    const log = (JSON.parse(shown.stdout) as { log: { message: string }[] }).log.map((l) => l.message);
    expect(log.some((m) => m.includes('rolling back'))).toBe(true);
  });

  it('exposes the service once its checks are up (the exposure gate)', async () => {
    const log = path.join(dir, 'exposure.log');
    await until(
      'exposed',
      async () => fs.existsSync(log) && fs.readFileSync(log, 'utf8').includes('healthy'),
    );
    const status = runCli(['exposure', 'status', '--json', '-c', config]);
    expect(status.code).toBe(0);
    const services = (
      JSON.parse(status.stdout) as {
        services: { service: string; health: string; applied: string | null; wouldRun: string | null }[];
      }
    ).services;
    expect(services).toEqual([
      expect.objectContaining({ service: 'api', health: 'healthy', applied: 'healthy', wouldRun: null }),
    ]);
    // Before the first deployment the check was down, so on_unhealthy may have run first; never twice in a row.
    const lines = fs.readFileSync(log, 'utf8').trim().split('\n');
    expect(lines.at(-1)).toBe('healthy');
    expect(lines.filter((l, i) => l === lines[i - 1])).toEqual([]);
  });

  it('after kill -9 of the daemon, the Live colour is serving again through the proxy, once', async () => {
    await daemon.stop('SIGKILL');
    daemon = await startDaemon(config, { port });
    await until(
      'proxy back',
      () =>
        get('/index.html').then(
          (r) => r.body === 'v2\n',
          () => false,
        ),
      20_000,
    );
    // This file's colours only: other test files run httpd too.
    const httpds = colours.flatMap((p) =>
      spawnSync('pgrep', ['-f', `httpd -f -p 127.0.0.1:${p} `], { encoding: 'utf8' })
        .stdout.split('\n')
        .filter(Boolean),
    );
    expect(httpds).toHaveLength(1);
  });

  it('lists the history on the CLI, newest first', () => {
    const res = runCli(['deploy', 'history', '--json', '-c', config]);
    expect(res.code).toBe(0);
    const list = (JSON.parse(res.stdout) as { deployments: DeploymentJson[] }).deployments;
    expect(list.map((d) => d.state).slice(0, 3)).toEqual(['rolled_back', 'succeeded', 'succeeded']);
  });
});

describe('POST /hooks/deploy', () => {
  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${daemon.url}/hooks/deploy`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
    });

  it("accepts GitHub's documented vector and answers 202 with the deployment id", async () => {
    const res = await post(VECTOR_BODY, {
      'x-hub-signature-256': VECTOR_SIGNATURE,
      'x-github-delivery': 'delivery-1',
      'x-github-event': 'push',
    });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { deploymentId: string };
    const d = await until('webhook deployment', async () => {
      const r = await api(daemon, 'GET', `/api/v1/deployments/${body.deploymentId}`, admin);
      const view = r.body as DeploymentJson;
      return ['queued', 'running'].includes(view.state) ? undefined : view;
    });
    expect(d.trigger).toBe('webhook');
    // Nothing changed since the rollback kept v2 Live… but HEAD is v3, which differs: it is tried again.
    expect(['rolled_back', 'noop', 'succeeded']).toContain(d.state);
  }, 30_000);

  it('refuses a replayed delivery with 409', async () => {
    const res = await post(VECTOR_BODY, {
      'x-hub-signature-256': VECTOR_SIGNATURE,
      'x-github-delivery': 'delivery-1',
    });
    expect(res.status).toBe(409);
  });

  it('refuses one flipped byte, and a missing signature, with 401 and an audit row', async () => {
    const flipped = await post('Hello, World?', {
      'x-hub-signature-256': VECTOR_SIGNATURE,
      'x-github-delivery': 'd-2',
    });
    expect(flipped.status).toBe(401);
    const missing = await post(VECTOR_BODY, { 'x-github-delivery': 'd-3' });
    expect(missing.status).toBe(401);
    const audit = runCli(['audit', 'list', '--json', '-c', config]);
    expect(audit.stdout).toContain('deploy.webhook_rejected');
  });

  it('signs with HMAC-SHA256 of the raw body (a fresh push verifies)', async () => {
    const payload = JSON.stringify({ ref: 'refs/heads/other', after: 'a'.repeat(40) });
    const sig = `sha256=${createHmac('sha256', SECRET).update(payload).digest('hex')}`;
    const res = await post(payload, {
      'x-hub-signature-256': sig,
      'x-github-delivery': 'd-4',
      'x-github-event': 'push',
    });
    expect(res.status).toBe(202);
    expect(((await res.json()) as { ignored?: string }).ignored).toMatch(/following main/);
  });
});
