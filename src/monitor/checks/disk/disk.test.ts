import { statfsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeContext, runCheckDriverContract } from '../contract.js';
import { diskCheck, diskCheckSchema, formatBytes } from './index.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'steward-disk-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Thresholds nothing can be under, so that one test varies one of them. */
const calm = { warn_free: '0%', critical_free: '0%', warn_free_inodes: '0%', critical_free_inodes: '0%' };
const parse = (input: Record<string, unknown>) =>
  diskCheckSchema({ baseDir: tmp }).parse({ type: 'disk', path: '.', ...calm, ...input });

runCheckDriverContract(
  'disk',
  diskCheck,
  async () => ({ up: parse({}), down: parse({ path: 'does/not/exist' }) }),
  { canHang: false },
);

describe('disk check', () => {
  it('reports free space as a person reads it, with details', async () => {
    const result = await diskCheck.probe(parse({}), probeContext());
    expect(result.status).toBe('up');
    expect(result.message).toMatch(
      /^\d+(\.\d)? (B|KiB|MiB|GiB|TiB|PiB) free of \d+(\.\d)? \S+ \(\d+\.\d%\)$/,
    );
    const d = result.details ?? {};
    expect(d.size_bytes).toBeGreaterThan(0);
    expect(d.free_bytes).toBeLessThanOrEqual(Number(d.size_bytes));
    expect(d.free_ratio).toBeGreaterThanOrEqual(0);
    expect(d.free_ratio).toBeLessThanOrEqual(1);
  });

  it('is down below critical_free and degraded below warn_free (percentages)', async () => {
    const down = await diskCheck.probe(parse({ warn_free: '100%', critical_free: '100%' }), probeContext());
    expect(down.status).toBe('down');
    expect(down.message).toContain('under the 100% critical level');
    const degraded = await diskCheck.probe(parse({ warn_free: '100%' }), probeContext());
    expect(degraded.status).toBe('degraded');
    expect(degraded.message).toContain('under the 100% warning level');
  });

  it('compares sizes with the space an unprivileged user may still write', async () => {
    const s = statfsSync(tmp);
    const avail = s.bavail * s.bsize;
    const more = `${avail + 1024 ** 3}B`;
    expect((await diskCheck.probe(parse({ warn_free: more }), probeContext())).status).toBe('degraded');
    const both = parse({ warn_free: more, critical_free: more });
    expect((await diskCheck.probe(both, probeContext())).status).toBe('down');
    expect(
      (await diskCheck.probe(parse({ warn_free: '1B', critical_free: '1B' }), probeContext())).status,
    ).toBe(avail >= 1 ? 'up' : 'down');
  });

  it('watches free inodes where the filesystem has a fixed number of them', async () => {
    const result = await diskCheck.probe(parse({ warn_free_inodes: '100%' }), probeContext());
    if (statfsSync(tmp).files > 0) {
      expect(result.status).toBe('degraded');
      expect(result.message).toMatch(/; inodes \d+\.\d% free, under the 100% warning level$/);
      expect(result.details?.free_inodes_ratio).toBeLessThanOrEqual(1);
    } else {
      // btrfs and friends report no inodes: the inode levels are ignored.
      expect(result.status).toBe('up');
      expect(result.details?.free_inodes_ratio).toBeUndefined();
    }
  });

  it('reports a missing path as down', async () => {
    const result = await diskCheck.probe(parse({ path: 'missing' }), probeContext());
    expect(result).toEqual({ status: 'down', message: `no such path: ${path.join(tmp, 'missing')}` });
  });
});

describe('disk check schema', () => {
  const schema = () => diskCheckSchema({ baseDir: tmp });

  it('applies the defaults and resolves the path against the config directory', () => {
    const config = schema().parse({ type: 'disk', path: 'data' });
    expect(config.path).toBe(path.join(tmp, 'data'));
    expect(config.warn_free).toEqual({ ratio: 0.1, text: '10%' });
    expect(config.critical_free).toEqual({ ratio: 0.05, text: '5%' });
    expect(config.warn_free_inodes).toEqual({ ratio: 0.1, text: '10%' });
    expect(config.critical_free_inodes).toEqual({ ratio: 0.05, text: '5%' });
    expect(config.interval).toBe(30_000);
  });

  it('accepts sizes and mixes of sizes and percentages', () => {
    const config = schema().parse({ type: 'disk', path: '/', warn_free: '2GiB', critical_free: '5%' });
    expect(config.warn_free).toEqual({ bytes: 2 * 1024 ** 3, text: '2GiB' });
  });

  it('refuses critical levels above warning levels', () => {
    const space = schema().safeParse({ type: 'disk', path: '/', warn_free: '15%', critical_free: '20%' });
    expect(space.error?.issues[0]?.path).toEqual(['critical_free']);
    expect(space.error?.issues[0]?.message).toMatch(/must not be above warn_free/);
    const sizes = schema().safeParse({ type: 'disk', path: '/', warn_free: '1GiB', critical_free: '2GiB' });
    expect(sizes.success).toBe(false);
    const inodes = schema().safeParse({ type: 'disk', path: '/', critical_free_inodes: '50%' });
    expect(inodes.error?.issues[0]?.path).toEqual(['critical_free_inodes']);
  });

  it('refuses malformed levels, unknown keys and a name field', () => {
    for (const bad of [
      { warn_free: 'lots' },
      { warn_free: '150%' },
      { warn_free_inodes: '2GiB' },
      { name: 'root' },
      { path: '' },
    ]) {
      expect(schema().safeParse({ type: 'disk', path: '/', ...bad }).success, JSON.stringify(bad)).toBe(
        false,
      );
    }
  });
});

describe('formatBytes', () => {
  it('keeps two significant figures', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(3.1 * 1024 ** 3)).toBe('3.1 GiB');
    expect(formatBytes(29 * 1024 ** 3)).toBe('29 GiB');
    expect(formatBytes(1536 * 1024)).toBe('1.5 MiB');
  });
});
