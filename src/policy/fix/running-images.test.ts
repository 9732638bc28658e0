import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDocker, type TestDocker } from '../../../test/support/docker.js';
import { loadProject } from '../compose/load.js';
import { lintProject } from '../lint.js';
import { chooseTag, dockerRunningImages, noRunningImages, planFixes } from './index.js';

// A real, private dockerd (test/support/docker.ts): the image is imported busybox, tagged twice.
let dk: TestDocker;
let socket: string;
const docker = (...args: string[]) => {
  const r = spawnSync('docker', args, {
    env: { ...process.env, ...dk.env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};
const run = (project: string, service: string, image: string) =>
  docker(
    'run',
    '-d',
    '--label',
    `com.docker.compose.project=${project}`,
    '--label',
    `com.docker.compose.service=${service}`,
    image,
    'sleep',
    '600',
  );

beforeAll(async () => {
  dk = await startDocker();
  socket = dk.host.slice('unix://'.length);
  docker('tag', dk.image, 'local/busybox:latest');
  docker('tag', dk.image, 'local/busybox:1.36.1');
  run('shop', 'web', 'local/busybox:latest');
  run('other', 'web', 'local/busybox:latest');
}, 120_000);

afterAll(async () => {
  if (dk) {
    const ids = docker('ps', '-q').split('\n').filter(Boolean);
    if (ids.length) docker('rm', '-f', ...ids);
    await dk.stop();
  }
}, 60_000);

describe('dockerRunningImages (real Docker Engine)', () => {
  it("returns the repo tags of the image the service's container runs, filtered by compose project", async () => {
    const tags = await dockerRunningImages(socket, { project: 'shop' }).tagsFor(
      'web',
      'local/busybox:latest',
    );
    expect(tags.sort()).toEqual(['local/busybox:1', 'local/busybox:1.36.1', 'local/busybox:latest']);
  });

  it('knows nothing when no container runs the service, or Docker is not there', async () => {
    expect(await dockerRunningImages(socket, { project: 'shop' }).tagsFor('db', 'x')).toEqual([]);
    expect(await dockerRunningImages(path.join(os.tmpdir(), 'no-such.sock')).tagsFor('web', 'x')).toEqual([]);
    expect(await noRunningImages.tagsFor('web', 'x')).toEqual([]);
  });

  it('--fix pins a moving tag to the most specific tag the running image also carries', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-pin-'));
    const file = path.join(dir, 'compose.yaml');
    fs.writeFileSync(file, 'services:\n  web:\n    image: "local/busybox:latest"  # the box runs this\n');
    const project = loadProject([file], { env: {} });
    const findings = lintProject(project).findings;
    const [fix] = await planFixes(findings, {
      running: dockerRunningImages(socket, { project: 'shop' }),
      project,
    });
    expect(fix?.after).toContain('image: "local/busybox:1.36.1"  # the box runs this\n');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('chooseTag', () => {
  it('takes the most specific fixed tag of the same repository', () => {
    expect(chooseTag('nginx', ['nginx:latest', 'nginx:1', 'nginx:1.27.2', 'nginx:1.27'])).toBe('1.27.2');
    expect(chooseTag('docker.io/library/nginx:latest', ['nginx:1.27.2'])).toBe('1.27.2');
    expect(chooseTag('ghcr.io/a/b:main', ['ghcr.io/a/c:1.0', 'ghcr.io/a/b:MAIN', 'ghcr.io/a/b:2.0'])).toBe(
      '2.0',
    );
    expect(chooseTag('nginx:latest', ['nginx:stable', 'redis:7.4.1'])).toBeUndefined();
  });
});
