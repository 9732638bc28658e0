import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observeContainers } from '../../src/deploy/compose/index.js';
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
import { startDocker, type TestDocker } from '../support/docker.js';
import { until } from '../support/wait.js';

/** GitOps for a compose service against a real Docker engine and docker-compose, from a local bare repository. */
const dir = tempDir();
let docker: TestDocker;
let repo: GitFixture;
let daemon: RunningDaemon;
let config: string;
let admin: string;
const PROJECT = 'stwe2e';

interface DeploymentJson {
  id: string;
  state: string;
  commit: string | null;
  error: string | null;
  gates: { policy?: { blocking: { rule: string; line: number }[] } } | null;
  serviceDeployments: { service: string; state: string; reason: string | null; configHash: string }[];
}

/** A hardened busybox service that passes the compose policy; `health` is the file its health check reads. */
function compose(version: string, opts: { health?: string; privileged?: boolean } = {}): string {
  return `services:
  core:
    image: ${docker.image}
    # The health file comes from the repository through a relative bind mount: it must resolve.
    command: ["sh", "-c", "cat /state/hello > /tmp/ok && echo ${version} >> /tmp/ok; exec sleep 100000"]
    environment: { VERSION: "${version}" }
    user: "1000"
    read_only: true
    tmpfs: [/tmp]
    volumes: ["./state:/state:ro"]
    cap_drop: [ALL]
    security_opt: ["no-new-privileges:true"]${opts.privileged ? '\n    privileged: true' : ''}
    network_mode: none
    restart: unless-stopped
    stop_grace_period: 1s
    mem_limit: 64m
    cpus: 0.5
    pids_limit: 64
    logging: { driver: json-file, options: { max-size: 1m } }
    healthcheck: { test: ["CMD", "cat", "${opts.health ?? '/tmp/ok'}"], interval: 1s, timeout: 1s, retries: 2 }
`;
}

async function deployments(): Promise<DeploymentJson[]> {
  const res = await api(daemon, 'GET', '/api/v1/deployments', admin);
  return (res.body as { deployments: DeploymentJson[] }).deployments;
}

const finished = (commit: string) => () =>
  deployments().then((list) => {
    const d = list.find((x) => x.commit === commit);
    return d && !['queued', 'running'].includes(d.state) ? d : undefined;
  });

async function running(): Promise<{ id: string; hash: string | undefined }[]> {
  const containers = await observeContainers(docker.host, PROJECT, ['core']);
  return containers
    .filter((c) => c.state === 'running')
    .map((c) => ({ id: c.id, hash: c.labels['io.steward.config-hash'] }));
}

beforeAll(async () => {
  docker = await startDocker();
  repo = await gitFixture('main');
  await repo.commit('v1', { 'stack/compose.yaml': compose('v1'), 'stack/state/hello': 'hello\n' });
  const port = await freePort();
  config = writeConfig(
    dir,
    port,
    `services:
  core:
    kind: compose
    compose: { files: [compose.yaml], project: ${PROJECT}, services: [core] }
deploy:
  source: { git: { url: "${repo.url}", branch: main, path: stack, poll: 1s } }
  gate: { health_timeout: 40s, consecutive_passes: 2, check_interval: 500ms }
`,
  );
  daemon = await startDaemon(config, { port, env: docker.env });
  admin = JSON.parse(
    runCli(['token', 'create', '--name', 'e2e', '--role', 'admin', '--json', '-c', config]).stdout,
  ).token;
}, 180_000);

afterAll(async () => {
  await daemon?.stop();
  await repo?.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('compose GitOps', () => {
  let v2Hash = '';

  it('deploys the first commit and a changed one, each gated on the container health', async () => {
    const first = await until('v1', finished((await repo.git(['rev-parse', 'HEAD'])).trim()), 90_000);
    expect(first.state).toBe('succeeded');
    const commit = await repo.commit('v2', { 'stack/compose.yaml': compose('v2') });
    const second = await until('v2', finished(commit), 90_000);
    expect(second.state).toBe('succeeded');
    v2Hash = second.serviceDeployments[0]?.configHash ?? '';
    const live = await running();
    expect(live.map((c) => c.hash)).toEqual([v2Hash]);
  }, 200_000);

  it('rolls back a commit whose health check fails: RolledBack, alert, the previous version running again', async () => {
    const commit = await repo.commit('broken health', {
      'stack/compose.yaml': compose('v3', { health: '/nope' }),
    });
    const d = await until('v3', finished(commit), 120_000);
    expect(d.state).toBe('rolled_back');
    expect(d.serviceDeployments[0]?.reason).toMatch(/unhealthy/);
    await until(
      'v2 healthy again',
      async () => {
        const containers = await observeContainers(docker.host, PROJECT, ['core']);
        return containers.some(
          (c) => c.labels['io.steward.config-hash'] === v2Hash && c.health === 'healthy',
        );
      },
      60_000,
    );
    const alerts = await api(daemon, 'GET', '/api/v1/alerts', admin);
    expect(JSON.stringify(alerts.body)).toContain('deploy-rolled-back');
    const status = runCli(['status', '--json', '-c', config]);
    expect(status.stdout).toContain('"live"');
  }, 200_000);

  it('blocks a compose file with privileged: true before anything changes', async () => {
    const before = await running();
    const commit = await repo.commit('privileged', {
      'stack/compose.yaml': compose('v4', { privileged: true }),
    });
    const d = await until('v4', finished(commit), 60_000);
    expect(d.state).toBe('blocked');
    expect(d.error).toMatch(/policy finding/);
    expect(d.gates?.policy?.blocking).toContainEqual(
      expect.objectContaining({ rule: 'no-privileged', line: 13 }),
    );
    expect(d.serviceDeployments).toEqual([]);
    expect(await running()).toEqual(before);
  }, 120_000);

  it('exports the deployment metrics', async () => {
    const metrics = await fetch(`${daemon.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/steward_deployments_total\{service="core",outcome="succeeded"\} 2/);
    expect(metrics).toMatch(/steward_deployments_total\{service="core",outcome="rolled_back"\} 1/);
    expect(metrics).toContain('steward_deploy_duration_seconds_bucket');
  });
});
