import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { chooseTag, dockerRunningImages, noRunningImages } from './index.js';

// A stand-in Engine API on a unix socket: the client's HTTP is real, Docker is not needed.
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function fakeEngine(routes: Record<string, unknown>): Promise<{ socket: string; asked: string[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-docker-'));
  const socket = path.join(dir, 'docker.sock');
  const asked: string[] = [];
  const server = http.createServer((req, res) => {
    asked.push(decodeURIComponent(req.url ?? ''));
    const body = routes[decodeURIComponent(req.url ?? '')];
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? { message: 'no such thing' }));
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  cleanups.push(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { socket, asked };
}

const listPath = (labels: string[]) => `/containers/json?filters=${JSON.stringify({ label: labels })}`;

describe('dockerRunningImages', () => {
  it("asks for the service's containers, then the tags of their image", async () => {
    const { socket, asked } = await fakeEngine({
      [listPath(['com.docker.compose.service=web'])]: [{ Id: 'c1', ImageID: 'sha256:abc' }],
      '/images/sha256:abc/json': { Id: 'sha256:abc', RepoTags: ['nginx:1.27.2', 'nginx:latest'] },
    });
    expect(await dockerRunningImages(socket).tagsFor('web', 'nginx:latest')).toEqual([
      'nginx:1.27.2',
      'nginx:latest',
    ]);
    expect(asked).toEqual([listPath(['com.docker.compose.service=web']), '/images/sha256:abc/json']);
  });

  it('filters by compose project when given one', async () => {
    const labels = ['com.docker.compose.service=web', 'com.docker.compose.project=shop'];
    const { socket } = await fakeEngine({
      [listPath(labels)]: [{ ImageID: 'sha256:abc' }],
      '/images/sha256:abc/json': { RepoTags: ['nginx:1.27.2'] },
    });
    expect(await dockerRunningImages(socket, { project: 'shop' }).tagsFor('web', 'nginx')).toEqual([
      'nginx:1.27.2',
    ]);
  });

  it('knows nothing when the answer is ambiguous, missing, or Docker is not there', async () => {
    const { socket } = await fakeEngine({
      [listPath(['com.docker.compose.service=two'])]: [{ ImageID: 'sha256:a' }, { ImageID: 'sha256:b' }],
      [listPath(['com.docker.compose.service=none'])]: [],
      [listPath(['com.docker.compose.service=gone'])]: [{ ImageID: 'sha256:gone' }],
    });
    const docker = dockerRunningImages(socket);
    expect(await docker.tagsFor('two', 'x')).toEqual([]);
    expect(await docker.tagsFor('none', 'x')).toEqual([]);
    expect(await docker.tagsFor('gone', 'x')).toEqual([]);
    expect(await dockerRunningImages(path.join(os.tmpdir(), 'no-such.sock')).tagsFor('web', 'x')).toEqual([]);
    expect(await noRunningImages.tagsFor('web', 'x')).toEqual([]);
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
