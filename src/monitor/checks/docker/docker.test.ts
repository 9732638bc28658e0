import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startDocker, type TestDocker } from '../../../../test/support/docker.js';
import { probeContext, runCheckDriverContract } from '../contract.js';
import { dockerCheck, dockerCheckSchema } from './index.js';

const PREFIX = 'stw-chk-';
let dk: TestDocker;
let ready: Promise<TestDocker> | undefined;
/** Never-answering "dockerd" for the hang fixture; short path, unix sockets are limited to ~108 bytes. */
const hangDir = mkdtempSync('/tmp/stw-hang-');
const hanging = new Set<net.Socket>();
const hangServer = net.createServer((socket) => hanging.add(socket));

const docker = (...args: string[]) =>
  execFileSync('docker', args, { env: { ...process.env, ...dk.env }, encoding: 'utf8' }).trim();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(container: string, format: string, want: string): Promise<void> {
  let seen = '';
  for (let i = 0; i < 300; i++) {
    seen = docker('inspect', '--format', format, container);
    if (seen === want) return;
    await sleep(100);
  }
  throw new Error(`${container}: ${format} is ${seen}, not ${want}`);
}

/** Starts dockerd and the containers once for the whole file; a daemon that cannot start fails the tests. */
function setup(): Promise<TestDocker> {
  ready ??= (async () => {
    dk = await startDocker();
    const run = (name: string, ...args: string[]) =>
      docker('run', '-d', '--network', 'none', '--name', `${PREFIX}${name}`, ...args);
    run('healthy', '--health-cmd', 'true', '--health-interval', '1s', dk.image, 'sleep', '3600');
    run(
      'failing',
      '--health-cmd',
      'echo checking; echo db unreachable; false',
      '--health-interval',
      '1s',
      '--health-retries',
      '1',
      dk.image,
      'sleep',
      '3600',
    );
    run('starting', '--health-cmd', 'true', '--health-interval', '1h', dk.image, 'sleep', '3600');
    run('plain', dk.image, 'sleep', '3600');
    run('exited', dk.image, 'sh', '-c', 'exit 3');
    docker('wait', `${PREFIX}exited`);
    await waitFor(`${PREFIX}healthy`, '{{.State.Health.Status}}', 'healthy');
    await waitFor(`${PREFIX}failing`, '{{.State.Health.Status}}', 'unhealthy');
    await new Promise<void>((resolve) => hangServer.listen(path.join(hangDir, 'docker.sock'), resolve));
    return dk;
  })();
  return ready;
}

beforeAll(setup, 120_000);
afterAll(async () => {
  for (const socket of hanging) socket.destroy();
  hangServer.close();
  rmSync(hangDir, { recursive: true, force: true });
  if (!ready) return;
  await ready.catch(() => undefined);
  const ids = docker('ps', '-aq', '--filter', `name=${PREFIX}`);
  if (ids) spawnSync('docker', ['rm', '-f', ...ids.split('\n')], { env: { ...process.env, ...dk.env } });
  await dk.stop();
}, 60_000);

const parse = (input: Record<string, unknown>) =>
  dockerCheckSchema({ baseDir: '/' }).parse({ type: 'docker', docker_host: dk.host, ...input });
const probe = (container: string, input: Record<string, unknown> = {}) =>
  dockerCheck.probe(parse({ container: `${PREFIX}${container}`, ...input }), probeContext());

runCheckDriverContract('docker', dockerCheck, async () => {
  await setup();
  return {
    up: parse({ container: `${PREFIX}healthy` }),
    down: parse({ container: `${PREFIX}exited` }),
    hang: parse({ container: `${PREFIX}healthy`, docker_host: `unix://${hangDir}/docker.sock` }),
  };
});

describe('docker check', () => {
  it('reports a running, healthy container as up with details', async () => {
    const result = await probe('healthy');
    expect(result).toMatchObject({
      status: 'up',
      message: 'running, healthy',
      details: { state: 'running', health: 'healthy', restart_count: 0, image: dk.image },
    });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('reports a running container without a healthcheck as up', async () => {
    expect(await probe('plain')).toMatchObject({ status: 'up', details: { health: 'none' } });
  });

  it('is degraded while the healthcheck is starting', async () => {
    expect(await probe('starting')).toMatchObject({ status: 'degraded', details: { health: 'starting' } });
  });

  it('reports an unhealthy container as down with the last line of the healthcheck output', async () => {
    expect(await probe('failing')).toMatchObject({ status: 'down', message: 'unhealthy: db unreachable' });
  });

  it('reports exited and missing containers as down', async () => {
    expect(await probe('exited')).toMatchObject({ status: 'down', message: 'exited (code 3)' });
    expect(await probe('nope')).toMatchObject({
      status: 'down',
      message: `no such container: ${PREFIX}nope`,
    });
  });

  it('finds containers by id too', async () => {
    const id = docker('inspect', '--format', '{{.Id}}', `${PREFIX}plain`);
    const result = await dockerCheck.probe(parse({ container: id.slice(0, 12) }), probeContext());
    expect(result.status).toBe('up');
  });

  it('takes the socket from DOCKER_HOST when docker_host is unset, and refuses non-unix hosts', async () => {
    const config = dockerCheckSchema({ baseDir: '/' }).parse({
      type: 'docker',
      container: `${PREFIX}healthy`,
    });
    try {
      vi.stubEnv('DOCKER_HOST', dk.host);
      expect((await dockerCheck.probe(config, probeContext())).status).toBe('up');
      vi.stubEnv('DOCKER_HOST', 'tcp://127.0.0.1:2375');
      expect(await dockerCheck.probe(config, probeContext())).toEqual({
        status: 'down',
        message: 'unsupported docker host tcp://127.0.0.1:2375: only unix:// sockets are supported',
      });
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('reports a missing socket as down', async () => {
    const result = await probe('healthy', { docker_host: `unix://${hangDir}/missing.sock` });
    expect(result).toEqual({ status: 'down', message: `no docker socket at ${hangDir}/missing.sock` });
  });
});

describe('docker check schema', () => {
  const schema = dockerCheckSchema({ baseDir: '/' });
  it('leaves docker_host unset by default', () => {
    expect(schema.parse({ type: 'docker', container: 'grafana' }).docker_host).toBeUndefined();
  });

  it('refuses bad input', () => {
    for (const bad of [
      {},
      { container: '' },
      { container: 'grafana', docker_host: 'tcp://127.0.0.1:2375' },
      { container: 'grafana', docker_host: '/var/run/docker.sock' },
      { container: 'grafana', name: 'grafana' },
    ]) {
      expect(schema.safeParse({ type: 'docker', ...bad }).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
