/** The deploy benchmark's world: a git repository, a web image, a Steward daemon with a native and a compose service. */
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type GitFixture, gitFixture } from '../../src/deploy/gitops/test-support.js';
import { startDocker, type TestDocker } from '../../test/support/docker.js';
import { type Child, freePort, sleep, startChild } from '../checks/proc.js';

export const WEB_IMAGE = 'local/busybox-web:1';
export const SECRET = 'bench-webhook-secret-0123456789';

export interface World {
  work: string;
  repo: GitFixture;
  docker: TestDocker;
  daemon: Child;
  url: string;
  token: string;
  config: string;
  proxyPort: number;
  webPort: number;
  plainPort: number;
  commits: number;
}

/** A second busybox image with httpd and wget (the test image has neither). */
export function importWebImage(docker: TestDocker, work: string): void {
  const root = path.join(work, 'web-rootfs');
  fs.mkdirSync(path.join(root, 'bin'), { recursive: true });
  fs.mkdirSync(path.join(root, 'www'), { recursive: true });
  fs.copyFileSync('/bin/busybox', path.join(root, 'bin/busybox'));
  for (const applet of ['sh', 'httpd', 'wget', 'sleep', 'cat', 'echo'])
    fs.symlinkSync('busybox', path.join(root, 'bin', applet));
  const tar = spawnSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 64 * 2 ** 20 });
  const imported = spawnSync('docker', ['import', '-', WEB_IMAGE], {
    input: tar.stdout,
    env: { ...process.env, ...docker.env },
  });
  if (imported.status !== 0) throw new Error(`docker import: ${imported.stderr}`);
}

/** The web service: httpd on the host's loopback (network_mode: host, so nothing but compose is measured). */
export function webCompose(port: number, version: string): string {
  return `services:
  web:
    image: ${WEB_IMAGE}
    command: ["sh", "-c", "echo ${version} > /www/index.html; exec httpd -f -p 127.0.0.1:${port} -h /www"]
    network_mode: host
    stop_grace_period: 1s
    healthcheck: { test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:${port}/"], interval: 1s, timeout: 1s, retries: 3 }
`;
}

export async function startWorld(work: string, cli: string): Promise<World> {
  const docker = await startDocker();
  importWebImage(docker, work);
  const repo = await gitFixture('main');
  const [port, proxyPort, blue, green, webPort, plainPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  await repo.commit('v1', {
    'stack/api/www/index.html': 'api v1\n',
    'stack/api/www/health': 'ok\n',
    'stack/compose.yaml': webCompose(webPort, 'web v1'),
  });
  const config = path.join(work, 'steward.yaml');
  fs.writeFileSync(
    config,
    `version: 1
data_dir: ./data
server: { listen: "127.0.0.1:${port}" }
daemon: { log_level: warn }
services:
  api:
    kind: native
    strategy: blue-green
    native: { releases_dir: ./releases, current: ./current, run: "exec busybox httpd -f -p 127.0.0.1:{port} -h www" }
    blue_green: { ports: [${blue}, ${green}], listen: "127.0.0.1:${proxyPort}", health_path: /health, drain_timeout: 10s }
  web:
    kind: compose
    compose: { files: [compose.yaml], project: benchweb, services: [web] }
deploy:
  source: { git: { url: "${repo.url}", branch: main, path: stack, poll: 0s } }
  webhook: { provider: github, secret: "${SECRET}" }
  # The benchmark's web service uses the host network: the policy would (rightly) block it.
  gate: { policy: "off", health_timeout: 60s, consecutive_passes: 2, check_interval: 250ms }
`,
  );
  const env = { ...process.env, ...docker.env, NO_COLOR: '1' };
  const daemon = startChild([process.execPath, cli, 'daemon', '-c', config], {
    log: path.join(work, 'daemon.log'),
    env,
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (
      await fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await sleep(100);
  }
  const created = spawnSync(
    process.execPath,
    [cli, 'token', 'create', '--name', 'bench', '--role', 'admin', '--json', '-c', config],
    { encoding: 'utf8' },
  );
  const token = (JSON.parse(created.stdout) as { token: string }).token;
  return { work, repo, docker, daemon, url, token, config, proxyPort, webPort, plainPort, commits: 1 };
}

export async function apiGet<T>(w: World, route: string): Promise<T> {
  const res = await fetch(`${w.url}${route}`, { headers: { authorization: `Bearer ${w.token}` } });
  return (await res.json()) as T;
}

export interface DeploymentView {
  id: string;
  state: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export async function waitFinished(w: World, id: string, timeoutMs = 120_000): Promise<DeploymentView> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const d = await apiGet<DeploymentView>(w, `/api/v1/deployments/${id}`);
    if (!['queued', 'running'].includes(d.state)) return d;
    await sleep(20);
  }
  throw new Error(`deployment ${id} did not finish`);
}

export async function deployNow(w: World, services: string[]): Promise<string> {
  const res = await fetch(`${w.url}/api/v1/deployments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${w.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ services }),
  });
  if (res.status !== 202) throw new Error(`deploy: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

let delivery = 0;
/** A signed GitHub push webhook; returns the HTTP status and the deployment id. */
export async function pushWebhook(w: World, commit: string): Promise<{ status: number; id: string | null }> {
  const body = JSON.stringify({ ref: 'refs/heads/main', after: commit, pusher: { name: 'bench' } });
  const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
  const res = await fetch(`${w.url}/hooks/deploy`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': signature,
      'x-github-delivery': `bench-${process.pid}-${++delivery}`,
      'x-github-event': 'push',
    },
    body,
  });
  const json = (await res.json()) as { deploymentId?: string };
  return { status: res.status, id: json.deploymentId ?? null };
}

export async function commitApi(w: World, version: string): Promise<string> {
  w.commits++;
  return w.repo.commit(version, { 'stack/api/www/index.html': `api ${version}\n` });
}
