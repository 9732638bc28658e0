import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDocker, type TestDocker } from '../../../test/support/docker.js';
import { type ComposeCli, detectComposeCli } from './cli.js';
import { composeDown, composePull, composeUp, composeValidate } from './commands.js';
import { type ContainerObservation, observeContainers } from './observe.js';
import type { ComposeTarget } from './target.js';
import { type ComposeVerdict, composeVerdict, stewardLabels } from './verdict.js';

const PROJECT = 'stwcompose';
const ALL = ['web', 'dep', 'sick', 'crash'];
const WAIT = 90_000;

// sleep as PID 1 ignores SIGTERM: without a short grace every stop would wait the default 10 s.
const compose = (webSleep: number) => `version: "3.8"
services:
  web:
    image: local/busybox:1
    command: ["sleep", "${webSleep}"]
    stop_grace_period: 1s
    depends_on: [dep]
    labels:
      greeting: \${GREETING}
    healthcheck: { test: ["CMD", "true"], interval: 1s, retries: 3 }
  dep:
    image: local/busybox:1
    command: ["sleep", "3600"]
    stop_grace_period: 1s
  sick:
    image: local/busybox:1
    command: ["sleep", "3600"]
    stop_grace_period: 1s
    healthcheck: { test: ["CMD", "sh", "-c", "exit 1"], interval: 1s, retries: 1 }
  crash:
    image: local/busybox:1
    command: ["sh", "-c", "exit 3"]
    stop_grace_period: 1s
    restart: always
  built:
    build: ./ctx
    image: local/built:1
  ghost:
    image: local/absent:1
`;

let dk: TestDocker;
let cli: ComposeCli;
let dir: string;
let env: NodeJS.ProcessEnv;

const labelsFor = (hash: string) => ({
  [stewardLabels.deployment]: `dep-${hash}`,
  [stewardLabels.configHash]: hash,
  [stewardLabels.service]: 'app',
});
const target = (services: string[], hash = 'h1', files = ['compose.yml']): ComposeTarget => ({
  projectDir: dir,
  files,
  project: PROJECT,
  services,
  envFile: 'deploy.env',
  labels: labelsFor(hash),
  env,
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Observes until `done` says so; every verdict on the way is returned (a hang guard, not a timing). */
async function watch(services: string[], configHash: string, done: (v: ComposeVerdict) => boolean) {
  const seen: ComposeVerdict[] = [];
  let obs: ContainerObservation[] = [];
  let reason = '';
  for (const deadline = Date.now() + WAIT - 5000; Date.now() < deadline; await sleep(250)) {
    obs = await observeContainers(dk.host, PROJECT, services);
    const v = composeVerdict(obs, { services, configHash });
    seen.push(v.verdict);
    reason = v.reason;
    if (done(v.verdict)) return { verdict: v.verdict, reason, obs, seen };
  }
  throw new Error(`still ${seen.at(-1)}: ${reason}`);
}

const idOf = (obs: ContainerObservation[], service: string) => obs.find((c) => c.service === service)?.id;

beforeAll(async () => {
  dk = await startDocker();
  env = { ...process.env, ...dk.env };
  cli = await detectComposeCli(env);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stw-compose-'));
  fs.mkdirSync(path.join(dir, 'ctx'));
  fs.writeFileSync(path.join(dir, 'ctx/Dockerfile'), 'FROM local/busybox:1\n');
  fs.writeFileSync(path.join(dir, 'compose.yml'), compose(3600));
  fs.writeFileSync(path.join(dir, 'deploy.env'), 'GREETING=from-env-file\n');
  fs.writeFileSync(path.join(dir, 'broken.yml'), 'services:\n  web:\n    imagee: local/busybox:1\n');
}, 120_000);

afterAll(async () => {
  if (cli && dir) await composeDown(cli, target(ALL)).catch(() => undefined);
  await dk?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe('compose driver against a private dockerd', () => {
  it('detects the compose that is installed (v1 on this machine)', async () => {
    const plugin = spawnSync('docker', ['compose', 'version'], { env, encoding: 'utf8' });
    const hasPlugin = plugin.status === 0 && /compose/i.test(plugin.stdout);
    expect(cli.flavour).toBe(hasPlugin ? 'v2' : 'v1');
    expect(cli.command).toBe(hasPlugin ? 'docker' : 'docker-compose');
    expect(cli.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(await detectComposeCli(env)).toBe(cli);
  });

  it('validates a good file and rejects a broken one with compose’s message', async () => {
    await composeValidate(cli, target(['web']));
    const err = await composeValidate(cli, target(['web'], 'h1', ['broken.yml'])).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_CONFIG', message: expect.stringMatching(/imagee/) });
  });

  it(
    'pulls only what the engine lacks and never a built image',
    async () => {
      // Were local/busybox:1 pulled, the pull would fail: no registry is reachable.
      expect(await composePull(cli, target(['web', 'dep', 'built']))).toEqual({
        pulled: [],
        skipped: ['local/busybox:1', 'local/built:1'],
      });
      const err = await composePull(cli, target(['ghost'])).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'E_EXTERNAL', message: expect.stringMatching(/local\/absent:1/) });
      await expect(composePull(cli, target(['nosuch']))).rejects.toMatchObject({ code: 'E_CONFIG' });
    },
    WAIT,
  );

  it(
    'starts services with Steward’s labels until the healthcheck passes',
    async () => {
      await composeUp(cli, target(['web', 'dep']));
      const { verdict, obs } = await watch(['web', 'dep'], 'h1', (v) => v !== 'pending');
      expect(verdict).toBe('healthy');
      const web = obs.find((c) => c.service === 'web');
      expect(web).toMatchObject({ state: 'running', health: 'healthy', image: 'local/busybox:1' });
      expect(web?.labels).toMatchObject({ ...labelsFor('h1'), greeting: 'from-env-file' });
      expect(obs.find((c) => c.service === 'dep')).toMatchObject({ health: 'none', exitCode: null });

      const mismatch = composeVerdict(obs, { services: ['web', 'dep'], configHash: 'h2' });
      expect(mismatch).toEqual({ verdict: 'pending', reason: expect.stringMatching(/config hash h2/) });
    },
    WAIT,
  );

  it(
    'recreates only the changed service, and only when something changed',
    async () => {
      const before = await observeContainers(dk.host, PROJECT, ['web', 'dep']);
      await composeUp(cli, target(['web']));
      const same = await observeContainers(dk.host, PROJECT, ['web', 'dep']);
      expect(idOf(same, 'web')).toBe(idOf(before, 'web'));

      fs.writeFileSync(path.join(dir, 'compose.yml'), compose(3601));
      await composeUp(cli, target(['web'], 'h2'));
      const { verdict, obs } = await watch(['web'], 'h2', (v) => v !== 'pending');
      expect(verdict).toBe('healthy');
      const after = await observeContainers(dk.host, PROJECT, ['web', 'dep']);
      expect(idOf(after, 'web')).not.toBe(idOf(before, 'web'));
      expect(idOf(after, 'dep')).toBe(idOf(before, 'dep'));
      expect(obs[0]?.labels[stewardLabels.configHash]).toBe('h2');

      await composeUp(cli, target(['web'], 'h2'), { forceRecreate: true });
      const forced = await observeContainers(dk.host, PROJECT, ['web']);
      expect(idOf(forced, 'web')).not.toBe(idOf(after, 'web'));
    },
    WAIT,
  );

  it(
    'fails a running container whose healthcheck fails, and never calls it healthy',
    async () => {
      await composeUp(cli, target(['sick'], 'hs'));
      const { verdict, reason, obs, seen } = await watch(['sick'], 'hs', (v) => v !== 'pending');
      expect(verdict).toBe('failed');
      expect(reason).toMatch(/unhealthy/);
      expect(obs[0]).toMatchObject({ state: 'running', health: 'unhealthy' });
      expect(seen).not.toContain('healthy');
    },
    WAIT,
  );

  it(
    'fails a container that exits at once under restart: always (crash loop)',
    async () => {
      await composeUp(cli, target(['crash'], 'hc'));
      const { verdict, reason, seen } = await watch(['crash'], 'hc', (v) => v !== 'pending');
      await composeDown(cli, target(['crash']));
      expect(verdict).toBe('failed');
      expect(reason).toMatch(/crash-looping|exited with code 3/);
      expect(seen).not.toContain('healthy');
    },
    WAIT,
  );

  it(
    'stops and removes services',
    async () => {
      await composeDown(cli, target(ALL));
      expect(await observeContainers(dk.host, PROJECT, ALL)).toEqual([]);
    },
    WAIT,
  );
});
