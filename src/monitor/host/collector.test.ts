import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHostCollector } from './collector.js';
import { parseDiskstats } from './diskstats.js';
import { HOST_METRIC_NAMES } from './metrics.js';
import { parseNetDev } from './net-dev.js';
import type { HostSample } from './types.js';

const NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:  8412096   61204    0    0    0     0          0         0  8412096   61204    0    0    0     0       0          0
  eth0: 3982215330 4120334    2   12    0     0          0     30211 912003311 2210442    1    0    0     0       0          0
 wlan0:  1203344    9102   17    0    0     0          0       420   330112    2011    3    0    0     0       0          0
`;

const DISKSTATS = ` 179       0 mmcblk0 36193 12441 2340990 37012 17213 19870 1063512 98724 0 60476 138920 0 0 0 0 2270 3184
 179       1 mmcblk0p1 236 1034 11802 291 2 0 2 3 0 240 294 0 0 0 0 0 0
 179       2 mmcblk0p2 35914 11407 2326628 36697 17211 19870 1063510 98720 0 60296 135418 0 0 0 0 0 0
`;

function find(
  samples: HostSample[],
  name: string,
  labels: Record<string, string> = {},
): HostSample | undefined {
  return samples.find((s) => s.name === name && JSON.stringify(s.labels) === JSON.stringify(labels));
}

describe('createHostCollector on a fake tree', () => {
  let root: string;
  let proc: string;
  let sys: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'steward-host-'));
    proc = join(root, 'proc');
    sys = join(root, 'sys');
    await mkdir(join(proc, 'net'), { recursive: true });
    await mkdir(join(sys, 'class', 'thermal', 'thermal_zone0'), { recursive: true });
    await writeFile(
      join(proc, 'stat'),
      'cpu  1000 0 500 8000 100 0 50 0 0 0\ncpu0 1000 0 500 8000 100 0 50 0 0 0\n',
    );
    await writeFile(join(proc, 'loadavg'), '0.50 0.25 0.10 1/120 4242\n');
    await writeFile(
      join(proc, 'meminfo'),
      'MemTotal:  3884432 kB\nMemFree:  2516644 kB\nMemAvailable:  3339516 kB\nSwapTotal:  102396 kB\nSwapFree:  51200 kB\n',
    );
    await writeFile(join(proc, 'net', 'dev'), NET_DEV);
    await writeFile(join(proc, 'uptime'), '86400.50 300000.00\n');
    // No diskstats: as in some containers.
    await writeFile(join(sys, 'class', 'thermal', 'thermal_zone0', 'type'), 'cpu-thermal\n');
    await writeFile(join(sys, 'class', 'thermal', 'thermal_zone0', 'temp'), '48686\n');
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reports what it can read, lists the rest as problems, and adds the CPU ratio on the second run', async () => {
    const missingFs = join(root, 'not-mounted');
    const collector = createHostCollector({ filesystems: [root, missingFs], procRoot: proc, sysRoot: sys });

    const first = await collector.collect();
    expect(first.problems).toEqual([`filesystem ${missingFs}: ENOENT`, `${join(proc, 'diskstats')}: ENOENT`]);
    const s = first.samples;
    expect(find(s, 'steward_host_cpu_usage_ratio')).toBeUndefined();
    expect(find(s, 'steward_host_load1')?.value).toBe(0.5);
    expect(find(s, 'steward_host_load5')?.value).toBe(0.25);
    expect(find(s, 'steward_host_load15')?.value).toBe(0.1);
    expect(find(s, 'steward_host_memory_total_bytes')?.value).toBe(3884432 * 1024);
    expect(find(s, 'steward_host_memory_available_bytes')?.value).toBe(3339516 * 1024);
    expect(find(s, 'steward_host_swap_total_bytes')?.value).toBe(102396 * 1024);
    expect(find(s, 'steward_host_swap_free_bytes')?.value).toBe(51200 * 1024);
    expect(find(s, 'steward_host_filesystem_size_bytes', { mountpoint: root })?.value).toBeGreaterThan(0);
    expect(find(s, 'steward_host_filesystem_files_free', { mountpoint: root })).toBeDefined();
    expect(s.filter((x) => x.labels.mountpoint === missingFs)).toEqual([]);
    expect(s.some((x) => x.name.startsWith('steward_host_disk_'))).toBe(false);
    expect(find(s, 'steward_host_network_receive_bytes_total', { device: 'eth0' })).toMatchObject({
      value: 3982215330,
      kind: 'counter',
    });
    expect(find(s, 'steward_host_network_transmit_errors_total', { device: 'wlan0' })?.value).toBe(3);
    expect(s.some((x) => x.labels.device === 'lo')).toBe(false);
    expect(find(s, 'steward_host_temperature_celsius', { zone: 'cpu-thermal' })?.value).toBe(48.686);
    expect(find(s, 'steward_host_uptime_seconds')?.value).toBe(86400.5);

    // +300 user, +100 system, +50 softirq, +500 idle, +50 iowait → 450 busy of 1000.
    await writeFile(join(proc, 'stat'), 'cpu  1300 0 600 8500 150 0 100 0 0 0\n');
    const second = await collector.collect();
    expect(find(second.samples, 'steward_host_cpu_usage_ratio')).toMatchObject({ kind: 'gauge' });
    expect(find(second.samples, 'steward_host_cpu_usage_ratio')?.value).toBeCloseTo(0.45, 10);
    await writeFile(join(proc, 'stat'), 'cpu  1000 0 500 8000 100 0 50 0 0 0\n');
  });

  it('reports only the listed interfaces, lo included when asked, and names missing ones', async () => {
    await writeFile(join(proc, 'diskstats'), DISKSTATS);
    try {
      const collector = createHostCollector({
        filesystems: [],
        interfaces: ['lo', 'wlan0', 'usb0'],
        procRoot: proc,
        sysRoot: join(root, 'empty-sys'),
      });
      const { samples, problems } = await collector.collect();
      expect(problems).toEqual([`${join(proc, 'net', 'dev')}: interface usb0 not found`]);
      const devices = new Set(
        samples.filter((x) => x.name.startsWith('steward_host_network_')).map((x) => x.labels.device),
      );
      expect([...devices]).toEqual(['lo', 'wlan0']);
      expect(samples.filter((x) => x.name.startsWith('steward_host_disk_'))).toEqual([
        expect.objectContaining({
          name: 'steward_host_disk_read_bytes_total',
          labels: { device: 'mmcblk0' },
          value: 2340990 * 512,
        }),
        expect.objectContaining({
          name: 'steward_host_disk_written_bytes_total',
          labels: { device: 'mmcblk0' },
          value: 1063512 * 512,
        }),
      ]);
      expect(samples.some((x) => x.name === 'steward_host_temperature_celsius')).toBe(false);
    } finally {
      await rm(join(proc, 'diskstats'), { force: true });
    }
  });

  it('turns a malformed file into a problem without losing the other sources', async () => {
    const bad = join(root, 'bad-proc');
    await mkdir(bad, { recursive: true });
    await writeFile(join(bad, 'loadavg'), 'garbage\n');
    await writeFile(join(bad, 'uptime'), '12.5 1.0\n');
    const { samples, problems } = await createHostCollector({
      filesystems: [],
      procRoot: bad,
      sysRoot: sys,
    }).collect();
    expect(problems).toContain(`${join(bad, 'loadavg')}: malformed loadavg`);
    expect(problems).toContain(`${join(bad, 'stat')}: ENOENT`);
    expect(samples.map((x) => x.name)).toEqual([
      'steward_host_temperature_celsius',
      'steward_host_uptime_seconds',
    ]);
  });
});

// Steward runs on Linux: /proc is a real component here, so its absence fails the test.
describe('createHostCollector on this machine', () => {
  it('emits the expected metrics with finite, non-negative values', async () => {
    const collector = createHostCollector({ filesystems: ['/'] });
    await collector.collect();
    // Let the jiffy counters move so the second run has a CPU delta.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const { samples, problems } = await collector.collect();

    const names = new Set(samples.map((s) => s.name));
    const expected = [
      'cpu_usage_ratio',
      'load1',
      'load5',
      'load15',
      'memory_total_bytes',
      'memory_available_bytes',
      'swap_total_bytes',
      'swap_free_bytes',
      'filesystem_size_bytes',
      'filesystem_avail_bytes',
      'filesystem_free_bytes',
      'filesystem_files',
      'filesystem_files_free',
      'uptime_seconds',
    ];
    // Disks and interfaces depend on the box; expect them whenever /proc lists any.
    if (parseDiskstats(readFileSync('/proc/diskstats', 'utf8')).length > 0) {
      expected.push('disk_read_bytes_total', 'disk_written_bytes_total');
    }
    if (parseNetDev(readFileSync('/proc/net/dev', 'utf8')).some((d) => d.device !== 'lo')) {
      expected.push(
        'network_receive_bytes_total',
        'network_transmit_bytes_total',
        'network_receive_errors_total',
        'network_transmit_errors_total',
      );
    }
    for (const name of expected) expect(names, name).toContain(`steward_host_${name}`);
    expect(problems.filter((p) => !p.includes('thermal'))).toEqual([]);

    for (const s of samples) {
      expect(HOST_METRIC_NAMES).toContain(s.name);
      expect(Number.isFinite(s.value), s.name).toBe(true);
      // Temperatures may legitimately be below zero; nothing else may.
      if (s.name !== 'steward_host_temperature_celsius') expect(s.value, s.name).toBeGreaterThanOrEqual(0);
      expect(s.kind).toBe(s.name.endsWith('_total') ? 'counter' : 'gauge');
      expect(s.help.length).toBeGreaterThan(0);
    }
    const ratio = samples.find((s) => s.name === 'steward_host_cpu_usage_ratio');
    expect(ratio?.value).toBeLessThanOrEqual(1);
    expect(samples.find((s) => s.name === 'steward_host_filesystem_size_bytes')?.labels).toEqual({
      mountpoint: '/',
    });
  });
});
