import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RCLONE_TEST_CONFIG, type RcloneWebdav, startRcloneWebdav } from '../../../test/support/rclone.js';
import { silentLogger } from '../../core/logger.js';
import type { BackupTarget } from '../types.js';
import { createTarget, type TargetType, targetDrivers } from './index.js';

/**
 * The one contract every target driver meets. Each driver supplies a fixture: a fresh,
 * empty target plus the local directory that ends up holding its objects, so the tests can
 * look behind the driver's back (and plant a crashed upload's leftovers).
 */
interface Fixture {
  target: BackupTarget;
  rawDir: string;
}

interface DriverFixture {
  setup(): Promise<void>;
  teardown(): Promise<void>;
  make(): Promise<Fixture>;
}

const root = mkdtempSync(path.join(tmpdir(), 'steward-targets-'));
let counter = 0;
const freshDir = (under: string) => {
  const dir = path.join(under, `t${++counter}`);
  mkdirSync(dir);
  return dir;
};

let webdav: RcloneWebdav | undefined;
const served = path.join(root, 'webdav');

// Keyed by the registry's types: a driver added without a fixture does not type-check.
const fixtures: { [K in TargetType]: DriverFixture } = {
  local: {
    setup: async () => {},
    teardown: async () => {},
    make: async () => {
      const rawDir = freshDir(root);
      const target = createTarget(
        'usb',
        { type: 'local', path: rawDir, require_mount: false },
        { logger: silentLogger() },
      );
      return { target, rawDir };
    },
  },
  rclone: {
    setup: async () => {
      mkdirSync(served);
      webdav = await startRcloneWebdav(served);
    },
    teardown: async () => {
      await webdav?.stop();
    },
    make: async () => {
      if (!webdav) throw new Error('webdav server not started');
      const rawDir = freshDir(served);
      const target = createTarget(
        'cloud',
        {
          type: 'rclone',
          remote: `${webdav.remote}${path.basename(rawDir)}`,
          config_file: RCLONE_TEST_CONFIG,
          binary: 'rclone',
        },
        { logger: silentLogger() },
      );
      return { target, rawDir };
    },
  },
};

const drivers = Object.keys(targetDrivers) as TargetType[];

beforeAll(async () => {
  await Promise.all(drivers.map((d) => fixtures[d].setup()));
});
afterAll(async () => {
  await Promise.all(drivers.map((d) => fixtures[d].teardown()));
  rmSync(root, { recursive: true, force: true });
});

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Feeds `data` in 64 KiB chunks, as the archive writer would. */
function chunked(data: Buffer): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < data.length; i += 65536) yield data.subarray(i, i + 65536);
    })(),
  );
}

async function store(target: BackupTarget, name: string, data: Buffer): Promise<{ location: string }> {
  const upload = await target.upload(name);
  await pipeline(chunked(data), upload.stream);
  return upload.commit();
}

describe.each(drivers)('%s target contract', (driver) => {
  const make = () => fixtures[driver].make();

  it('is ready', async () => {
    const { target } = await make();
    expect(await target.check()).toEqual({ ready: true });
    expect(target.type).toBe(driver);
    expect(target.description).not.toBe('');
  });

  it('lists a committed upload with its size, and no partial', async () => {
    const { target, rawDir } = await make();
    const data = randomBytes(200_000);
    const { location } = await store(target, 'a.tar.age', data);
    expect(location).toContain('a.tar.age');
    const objects = await target.list();
    expect(objects.map((o) => [o.name, o.size])).toEqual([['a.tar.age', data.length]]);
    expect(objects[0]?.modifiedAt).toBeInstanceOf(Date);
    expect(Number.isNaN(objects[0]?.modifiedAt.getTime())).toBe(false);
    expect(readdirSync(rawDir)).toEqual(['a.tar.age']);
  });

  it('round-trips a few MB byte for byte', async () => {
    const { target } = await make();
    const data = randomBytes(3 * 1024 * 1024 + 17);
    await store(target, 'big.tar.age', data);
    const back = await readAll(await target.download('big.tar.age'));
    expect(back.length).toBe(data.length);
    expect(back.equals(data)).toBe(true);
  });

  it('leaves nothing under the final name after abort', async () => {
    const { target, rawDir } = await make();
    const upload = await target.upload('x.tar.age');
    upload.stream.write(randomBytes(100_000));
    await upload.abort();
    await upload.abort(); // idempotent
    expect(await target.list()).toEqual([]);
    await target.removePartials();
    expect(readdirSync(rawDir)).toEqual([]);
  });

  it('refuses to commit before the stream was ended', async () => {
    const { target, rawDir } = await make();
    const upload = await target.upload('early.tar.age');
    upload.stream.write(Buffer.from('half'));
    await expect(upload.commit()).rejects.toThrow(/before its stream was ended/);
    await upload.abort();
    await target.removePartials();
    expect(readdirSync(rawDir)).toEqual([]);
  });

  it('stores small objects with putSmall, replacing an older one', async () => {
    const { target, rawDir } = await make();
    await target.putSmall('a.tar.age.sha256', Buffer.from('old\n'));
    await target.putSmall('a.tar.age.sha256', Buffer.from('abc123  a.tar.age\n'));
    expect(await target.list()).toMatchObject([{ name: 'a.tar.age.sha256', size: 18 }]);
    expect((await readAll(await target.download('a.tar.age.sha256'))).toString()).toBe('abc123  a.tar.age\n');
    expect(readdirSync(rawDir)).toEqual(['a.tar.age.sha256']);
  });

  it('removes idempotently', async () => {
    const { target } = await make();
    await target.putSmall('gone', Buffer.from('x'));
    await target.remove('gone');
    await target.remove('gone');
    await target.remove('never-was');
    expect(await target.list()).toEqual([]);
  });

  it('hides and cleans the leftovers of crashed uploads', async () => {
    const { target, rawDir } = await make();
    await target.putSmall('kept', Buffer.from('keep me'));
    // A process that died mid-write leaves its partial behind.
    writeFileSync(path.join(rawDir, 'crashed.tar.age.partial'), randomBytes(1000));
    // An upload that was fully written but never committed.
    const upload = await target.upload('uncommitted.tar.age');
    upload.stream.end(randomBytes(5000));
    await finished(upload.stream);

    expect((await target.list()).map((o) => o.name)).toEqual(['kept']);
    expect((await target.removePartials()).sort()).toEqual([
      'crashed.tar.age.partial',
      'uncommitted.tar.age.partial',
    ]);
    expect(await target.removePartials()).toEqual([]);
    await upload.abort(); // releases what the driver still holds; the partial is already gone
    expect(readdirSync(rawDir)).toEqual(['kept']);
  });

  it('fails to download a missing object', async () => {
    const { target } = await make();
    await expect((async () => readAll(await target.download('nope.tar.age')))()).rejects.toThrow(
      /no object named nope\.tar\.age/,
    );
  });

  it('rejects object names that are not plain file names', async () => {
    const { target } = await make();
    for (const bad of ['../escape', 'a/b', '', '..', 'x.partial', '-flag']) {
      await expect(target.upload(bad)).rejects.toThrow(/invalid object name/);
    }
    await expect(target.remove('../x')).rejects.toThrow(/invalid object name/);
  });
});
