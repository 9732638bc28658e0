import { describe, expect, it } from 'vitest';
import { parseDiskstats, partitionParent } from './diskstats.js';

// Raspberry Pi 4 on Raspberry Pi OS: SD card with boot + root partitions, a USB SSD, zram swap.
const PI = `   1       0 ram0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
   1       1 ram1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
   7       1 loop1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
 179       0 mmcblk0 36193 12441 2340990 37012 17213 19870 1063512 98724 0 60476 138920 0 0 0 0 2270 3184
 179       1 mmcblk0p1 236 1034 11802 291 2 0 2 3 0 240 294 0 0 0 0 0 0
 179       2 mmcblk0p2 35914 11407 2326628 36697 17211 19870 1063510 98720 0 60296 135418 0 0 0 0 0 0
   8       0 sda 4512 1203 482310 9921 120334 88213 9822104 412330 0 301220 433110 0 0 0 0 9321 11857
   8       1 sda1 4401 1203 478102 9870 120334 88213 9822104 412330 0 301180 422200 0 0 0 0 0 0
 254       0 zram0 312 0 2496 4 1280 0 10240 12 0 24 16 0 0 0 0 0 0
`;

// This Linux 6.x VM (virtio disk, no partitions listed).
const VM = `   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
   7       7 loop7 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
 254       0 vda 401032 26826 24504514 1654655 520626 148836 260166304 2438631 0 236980 4172597 145706 61 264029520 68431 125321 10879
 253       0 zram0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
`;

// A NVMe laptop with LVM (device-mapper) and software RAID; old 14-field format.
const NVME = ` 259       0 nvme0n1 181220 51230 12200394 40112 300112 211020 24410212 301221 0 190332 351220
 259       1 nvme0n1p1 320 1680 12442 88 2 0 2 1 0 60 90
 259       2 nvme0n1p2 180800 49550 12187064 40010 300110 211020 24410210 301220 0 190200 341210
 252       0 dm-0 230100 0 12180000 52010 511100 0 24410000 620000 0 191000 672010
   9       0 md0 100 0 800 0 200 0 1600 0 0 0 0
`;

describe('parseDiskstats', () => {
  it('keeps whole disks on a Pi and drops partitions, ram, loop and zram', () => {
    expect(parseDiskstats(PI)).toEqual([
      { device: 'mmcblk0', readBytes: 2340990 * 512, writtenBytes: 1063512 * 512 },
      { device: 'sda', readBytes: 482310 * 512, writtenBytes: 9822104 * 512 },
    ]);
  });

  it('reads a virtio disk', () => {
    expect(parseDiskstats(VM)).toEqual([
      { device: 'vda', readBytes: 24504514 * 512, writtenBytes: 260166304 * 512 },
    ]);
  });

  it('handles nvme partitions and keeps dm/md devices', () => {
    expect(parseDiskstats(NVME).map((d) => d.device)).toEqual(['nvme0n1', 'dm-0', 'md0']);
  });

  it('keeps a partition whose disk is not listed', () => {
    expect(parseDiskstats(' 8 17 sdb1 1 0 8 0 1 0 16 0 0 0 0\n')).toEqual([
      { device: 'sdb1', readBytes: 4096, writtenBytes: 8192 },
    ]);
  });

  it('skips short or malformed lines', () => {
    expect(parseDiskstats('\n 8 0 sda 1 2\n 8 0 sdc x 0 8 0 1 0 y 0 0 0 0\n')).toEqual([]);
  });
});

describe('partitionParent', () => {
  const listed = new Set(['sda', 'mmcblk0', 'nvme0n1', 'vda']);
  it.each([
    ['sda1', 'sda'],
    ['sda12', 'sda'],
    ['mmcblk0p2', 'mmcblk0'],
    ['nvme0n1p3', 'nvme0n1'],
    ['vda1', 'vda'],
    ['sda', undefined],
    ['mmcblk0', undefined],
    ['nvme0n1', undefined],
    ['sdb1', undefined],
    ['md0', undefined],
    ['123', undefined],
  ])('%s → %s', (name, parent) => expect(partitionParent(name, listed)).toBe(parent));
});
