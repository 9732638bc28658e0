import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../../test/support/cli.js';
import { RCLONE_TEST_CONFIG, type RcloneWebdav, startRcloneWebdav } from '../../../../test/support/rclone.js';
import { isAbortError } from '../../../core/exec.js';
import { silentLogger } from '../../../core/logger.js';
import type { BackupTarget } from '../../types.js';
import { rcloneTargetDriver } from './driver.js';
import { rcloneTargetSchema } from './schema.js';

const root = mkdtempSync(path.join(tmpdir(), 'steward-rclone-target-'));
let webdav: RcloneWebdav;

beforeAll(async () => {
  webdav = await startRcloneWebdav(root);
});
afterAll(async () => {
  await webdav?.stop();
  rmSync(root, { recursive: true, force: true });
});

function target(remote: string, binary = 'rclone'): BackupTarget {
  return rcloneTargetDriver.create(
    'cloud',
    { type: 'rclone', remote, config_file: RCLONE_TEST_CONFIG, binary },
    {
      logger: silentLogger(),
    },
  );
}

/** A stand-in rclone: a shell script answering each subcommand ($1) as the test needs. */
function fakeRclone(cases: string): string {
  const file = path.join(mkdtempSync(path.join(root, 'fake-')), 'rclone');
  writeFileSync(file, `#!/bin/sh\ncase "$1" in\n${cases}\n  *) exit 0 ;;\nesac\n`);
  chmodSync(file, 0o755);
  return file;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('rclone target schema', () => {
  it('resolves config_file against the config directory and defaults the binary', () => {
    const parsed = rcloneTargetSchema({ baseDir: '/etc/steward' }).parse({
      type: 'rclone',
      remote: 'b2:bucket/steward',
      config_file: 'rclone.conf',
    });
    expect(parsed).toEqual({
      type: 'rclone',
      remote: 'b2:bucket/steward',
      config_file: '/etc/steward/rclone.conf',
      binary: 'rclone',
    });
  });
});

describe('rclone target check', () => {
  it('creates a remote path that does not exist yet', async () => {
    const t = target(`${webdav.remote}new/deeper`);
    expect(await t.list()).toEqual([]);
    expect(await t.check()).toEqual({ ready: true });
    expect(statSync(path.join(root, 'new/deeper')).isDirectory()).toBe(true);
  });

  it('is not ready, with rclone saying why, when the remote is unreachable', async () => {
    const port = await freePort();
    const started = Date.now();
    const r = await target(`:webdav,url='http://127.0.0.1:${port}/':`).check();
    expect(r).toMatchObject({
      ready: false,
      reason: expect.stringMatching(
        /^cannot reach :webdav,url='http:\/\/127\.0\.0\.1:\d+\/':.*connection refused/,
      ),
    });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('never shows credentials from the connection string', async () => {
    const port = await freePort();
    const t = target(`:webdav,url='http://127.0.0.1:${port}/',user=bob,pass=topsecret:`);
    expect(t.description).not.toContain('topsecret');
    const r = await t.check();
    expect(r.ready).toBe(false);
    if (!r.ready) {
      expect(r.reason).not.toContain('topsecret');
      expect(r.reason).toContain('pass=***');
    }
  });

  it('is not ready when the rclone executable is missing', async () => {
    const r = await target(webdav.remote, '/nonexistent/rclone').check();
    expect(r).toMatchObject({
      ready: false,
      reason: expect.stringMatching(/"\/nonexistent\/rclone" not found/),
    });
  });
});

describe('rclone target failures', () => {
  it('fails the download stream when rclone cat fails halfway', async () => {
    const binary = fakeRclone(`
  lsjson) echo '{"Path":"x","Name":"x","Size":100,"ModTime":"2024-01-01T00:00:00Z","IsDir":false}' ;;
  cat) printf 'half of th'; echo '2024/01/01 00:00:00 ERROR : x: connection reset by peer' >&2; exit 1 ;;`);
    const stream = await target('remote:dir', binary).download('x');
    await expect(readAll(stream)).rejects.toThrow(
      /download of x \(rclone cat\) failed \(exit code 1: ERROR : x: connection reset by peer\)/,
    );
  });

  it('fails the upload stream with rclone’s reason when rcat dies', async () => {
    const binary = fakeRclone(`
  rcat) head -c 10 >/dev/null; echo 'ERROR : quota exceeded for key=abc' >&2; exit 7 ;;`);
    const upload = await target('remote:dir', binary).upload('a.tar.age');
    const chunks = Array.from({ length: 64 }, () => randomBytes(65536));
    await expect(pipeline(Readable.from(chunks), upload.stream)).rejects.toThrow(
      'target cloud: upload of a.tar.age (rclone rcat) failed (exit code 7: ERROR : quota exceeded for key=***)',
    );
    await expect(upload.commit()).rejects.toThrow(/quota exceeded/);
    await upload.abort();
  });

  it('refuses to commit when the remote size differs from what was written', async () => {
    const binary = fakeRclone(`
  rcat) cat >/dev/null ;;
  lsjson) echo '{"Path":"a","Name":"a","Size":1,"ModTime":"2024-01-01T00:00:00Z","IsDir":false}' ;;`);
    const upload = await target('remote:dir', binary).upload('a');
    await pipeline(Readable.from([Buffer.from('twelve bytes')]), upload.stream);
    await expect(upload.commit()).rejects.toThrow(
      'target cloud: a has 1 bytes on the remote, 12 were written',
    );
    await upload.abort();
  });

  it('stops rcat when the upload is aborted through its signal, leaving nothing behind', async () => {
    const dir = mkdtempSync(path.join(root, 'abort-'));
    const t = target(`${webdav.remote}${path.basename(dir)}`);
    const controller = new AbortController();
    const upload = await t.upload('a.tar.age', controller.signal);
    upload.stream.write(randomBytes(200_000));
    controller.abort();
    const err = await new Promise((resolve) => upload.stream.once('error', resolve));
    expect(isAbortError(err)).toBe(true);
    await upload.abort();
    expect(existsSync(path.join(dir, 'a.tar.age'))).toBe(false);
    expect(existsSync(path.join(dir, 'a.tar.age.partial'))).toBe(false);
  });
});
