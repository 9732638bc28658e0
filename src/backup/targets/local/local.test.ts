import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/logger.js';
import type { BackupTarget } from '../../types.js';
import { localTargetDriver } from './driver.js';
import { localTargetSchema } from './schema.js';

const root = mkdtempSync(path.join(tmpdir(), 'steward-local-target-'));
const mounts: string[] = [];

afterAll(() => {
  // Lazy: a failed test may still hold a file open there.
  for (const m of mounts) execFileSync('umount', ['-l', m]);
  rmSync(root, { recursive: true, force: true });
});

function target(dir: string, requireMount = false): BackupTarget {
  return localTargetDriver.create(
    'usb',
    { type: 'local', path: dir, require_mount: requireMount },
    {
      logger: silentLogger(),
    },
  );
}

function fresh(name: string): string {
  const dir = path.join(root, name);
  mkdirSync(dir);
  return dir;
}

/** A tmpfs of `size` at a fresh directory; null when this process may not mount (not root). */
function tmpfs(name: string, size: string): string | null {
  const dir = fresh(name);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return null;
  }
  mounts.push(dir);
  return dir;
}

describe('local target schema', () => {
  it('resolves a relative path against the config directory and defaults require_mount', () => {
    const parsed = localTargetSchema({ baseDir: '/etc/steward' }).parse({ type: 'local', path: 'backups' });
    expect(parsed).toEqual({ type: 'local', path: '/etc/steward/backups', require_mount: false });
  });

  it('rejects unknown keys', () => {
    expect(
      localTargetSchema({ baseDir: '/' }).safeParse({ type: 'local', path: '/x', mount: true }).success,
    ).toBe(false);
  });
});

describe('local target check', () => {
  it('creates a missing directory whose parent exists, private', async () => {
    const dir = path.join(fresh('create'), 'backups');
    expect(await target(dir).check()).toEqual({ ready: true });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('is not ready when the parent is missing too, and creates nothing', async () => {
    const parent = path.join(root, 'no-parent');
    const r = await target(path.join(parent, 'backups')).check();
    expect(r).toMatchObject({ ready: false, reason: expect.stringMatching(/does not exist/) });
    expect(existsSync(parent)).toBe(false);
  });

  it('is not ready when the path is a file', async () => {
    const file = path.join(fresh('file'), 'f');
    writeFileSync(file, '');
    expect(await target(file).check()).toMatchObject({ ready: false, reason: `${file} is not a directory` });
  });

  it('with require_mount: a plain directory is not ready and stays empty', async () => {
    const dir = fresh('plain');
    const r = await target(dir, true).check();
    expect(r).toEqual({
      ready: false,
      reason: `${dir} is not a mount point (same device as its parent); is the USB disk plugged in and mounted?`,
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('with require_mount: a missing path is not ready and is not created', async () => {
    const parent = fresh('unplugged');
    const dir = path.join(parent, 'usb');
    const r = await target(dir, true).check();
    expect(r).toMatchObject({
      ready: false,
      reason: expect.stringMatching(/does not exist; is the USB disk/),
    });
    expect(readdirSync(parent)).toEqual([]);
  });

  it('with require_mount: a mount point is ready and usable', async () => {
    const dir = tmpfs('mounted', '2m');
    expect(dir).not.toBeNull();
    if (dir === null) return;
    const t = target(dir, true);
    expect(await t.check()).toEqual({ ready: true });
    await t.putSmall('hello', Buffer.from('hi'));
    expect((await t.list()).map((o) => o.name)).toEqual(['hello']);
  });
});

describe('local target writes', () => {
  it('commits files with mode 0600', async () => {
    const dir = fresh('modes');
    const t = target(dir);
    const upload = await t.upload('a.tar.age');
    await pipeline(Readable.from([randomBytes(1000)]), upload.stream);
    const { location } = await upload.commit();
    expect(location).toBe(path.join(dir, 'a.tar.age'));
    await t.putSmall('a.tar.age.sha256', Buffer.from('x'));
    for (const f of readdirSync(dir)) expect(statSync(path.join(dir, f)).mode & 0o777).toBe(0o600);
  });

  it('refuses to start over a partial that exists (another upload, or a crash)', async () => {
    const dir = fresh('busy');
    writeFileSync(path.join(dir, 'a.tar.age.partial'), 'left over');
    await expect(target(dir).upload('a.tar.age')).rejects.toThrow(/a\.tar\.age\.partial already exists/);
  });

  it('reports a full disk clearly and leaves nothing behind', async () => {
    const dir = tmpfs('full', '1m');
    expect(dir).not.toBeNull();
    if (dir === null) return;
    const t = target(dir);
    const upload = await t.upload('big.tar.age');
    const data = randomBytes(3 * 1024 * 1024);
    const chunks = Array.from({ length: 48 }, (_, i) => data.subarray(i * 65536, (i + 1) * 65536));

    const written = pipeline(Readable.from(chunks), upload.stream);
    await expect(written).rejects.toThrow('target usb: no space left on device while writing big.tar.age');
    const err = await written.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);

    await expect(upload.commit()).rejects.toThrow(/no space left on device/);
    expect(existsSync(path.join(dir, 'big.tar.age'))).toBe(false);
    await upload.abort();
    expect(readdirSync(dir)).toEqual([]);
    // The space is back: a later upload goes through.
    await t.putSmall('after', Buffer.from('ok'));
    expect((await t.list()).map((o) => o.name)).toEqual(['after']);
  });
});
