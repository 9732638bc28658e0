import { describe, expect, it } from 'vitest';
import { parseMeminfo } from './meminfo.js';

// Top of /proc/meminfo from a Linux 6.x VM without swap.
const VM = `MemTotal:       24684096 kB
MemFree:        23347272 kB
MemAvailable:   23696052 kB
Buffers:            3256 kB
Cached:           516696 kB
SwapCached:            0 kB
Active:           338868 kB
Inactive:         688276 kB
Active(anon):       1544 kB
Inactive(anon):   514436 kB
Active(file):     337324 kB
Inactive(file):   173840 kB
Unevictable:       12448 kB
Mlocked:           11448 kB
SwapTotal:             0 kB
SwapFree:              0 kB
Zswap:                 0 kB
Zswapped:              0 kB
Dirty:               172 kB
HugePages_Total:       0
Hugepagesize:       2048 kB
`;

// A Raspberry Pi 4 (4 GB) with dphys-swapfile's 100 MB swap.
const PI = `MemTotal:        3884432 kB
MemFree:         2516644 kB
MemAvailable:    3339516 kB
Buffers:           60172 kB
Cached:           866408 kB
SwapCached:            0 kB
Active:           584120 kB
Inactive:         565720 kB
SwapTotal:        102396 kB
SwapFree:         102396 kB
`;

describe('parseMeminfo', () => {
  it('converts kB to bytes', () => {
    expect(parseMeminfo(VM)).toEqual({
      memTotalBytes: 24684096 * 1024,
      memAvailableBytes: 23696052 * 1024,
      swapTotalBytes: 0,
      swapFreeBytes: 0,
    });
    expect(parseMeminfo(PI)).toEqual({
      memTotalBytes: 3884432 * 1024,
      memAvailableBytes: 3339516 * 1024,
      swapTotalBytes: 102396 * 1024,
      swapFreeBytes: 102396 * 1024,
    });
  });

  it('leaves MemAvailable undefined on kernels before 3.14', () => {
    const old = 'MemTotal:  1000 kB\nMemFree:  500 kB\nSwapTotal:  0 kB\nSwapFree:  0 kB\n';
    expect(parseMeminfo(old).memAvailableBytes).toBeUndefined();
    expect(parseMeminfo(old).memTotalBytes).toBe(1024000);
  });

  it('matches keys exactly, not by prefix', () => {
    expect(parseMeminfo('MemTotalX: 1 kB\nMemTotal: 2 kB\n').memTotalBytes).toBe(2048);
  });

  it.each(['', 'MemFree: 10 kB\n', 'MemTotal: lots kB\n'])('rejects %j (no usable MemTotal)', (text) => {
    expect(() => parseMeminfo(text)).toThrow();
  });
});
