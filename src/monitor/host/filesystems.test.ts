import type { StatsFs } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { fromStatfs, statFilesystem } from './filesystems.js';

describe('fromStatfs', () => {
  it('multiplies blocks by the block size', () => {
    // A 32 GB SD card root filesystem (ext4, 4 KiB blocks, 5% reserved).
    const s: StatsFs = {
      type: 0xef53,
      bsize: 4096,
      blocks: 7574016,
      bfree: 5120000,
      bavail: 4741312,
      files: 1896832,
      ffree: 1701234,
    };
    expect(fromStatfs('/', s)).toEqual({
      mountpoint: '/',
      sizeBytes: 7574016 * 4096,
      availBytes: 4741312 * 4096,
      freeBytes: 5120000 * 4096,
      files: 1896832,
      filesFree: 1701234,
    });
  });
});

describe('statFilesystem', () => {
  it('reads a real filesystem', async () => {
    const fs = await statFilesystem(tmpdir());
    expect(fs.sizeBytes).toBeGreaterThan(0);
    expect(fs.availBytes).toBeLessThanOrEqual(fs.freeBytes);
    expect(fs.freeBytes).toBeLessThanOrEqual(fs.sizeBytes);
  });

  it('rejects a path that does not exist', async () => {
    await expect(statFilesystem('/no/such/steward/path')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
