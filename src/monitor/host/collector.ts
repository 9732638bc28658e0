import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseDiskstats } from './diskstats.js';
import { errorReason } from './fields.js';
import { statFilesystem } from './filesystems.js';
import { parseLoadavg } from './loadavg.js';
import { parseMeminfo } from './meminfo.js';
import { HOST_METRICS as M, sample } from './metrics.js';
import { parseNetDev } from './net-dev.js';
import { type CpuTimes, cpuUsageRatio, parseProcStat } from './proc-stat.js';
import { readThermalZones } from './thermal.js';
import type { HostCollection, HostSample } from './types.js';
import { parseUptime } from './uptime.js';

export interface HostCollectorOptions {
  /** Paths to statfs, usually mountpoints; each becomes the `mountpoint` label. */
  filesystems: string[];
  /** Interfaces to report; undefined = all except lo. Listing lo reports it. */
  interfaces?: string[];
  /** Default '/proc'. */
  procRoot?: string;
  /** Default '/sys'. */
  sysRoot?: string;
}

export interface HostCollector {
  collect(): Promise<HostCollection>;
}

/** File text, or the error that stopped us reading it (as a value, so one cannot fail the rest). */
async function readText(path: string): Promise<string | Error> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}

/**
 * Reads host metrics straight from procfs/sysfs/statfs, no child processes. Keeps the previous
 * /proc/stat reading, so the CPU ratio appears from the second collect() on.
 */
export function createHostCollector(opts: HostCollectorOptions): HostCollector {
  const procRoot = opts.procRoot ?? '/proc';
  const sysRoot = opts.sysRoot ?? '/sys';
  const filesystems = [...new Set(opts.filesystems)];
  const wanted = opts.interfaces === undefined ? undefined : new Set(opts.interfaces);
  const paths = {
    stat: join(procRoot, 'stat'),
    loadavg: join(procRoot, 'loadavg'),
    meminfo: join(procRoot, 'meminfo'),
    diskstats: join(procRoot, 'diskstats'),
    netDev: join(procRoot, 'net', 'dev'),
    uptime: join(procRoot, 'uptime'),
  };
  let prevCpu: CpuTimes | undefined;

  async function collect(): Promise<HostCollection> {
    const [stat, loadavg, meminfo, diskstats, netDev, uptime, thermal, fsResults] = await Promise.all([
      readText(paths.stat),
      readText(paths.loadavg),
      readText(paths.meminfo),
      readText(paths.diskstats),
      readText(paths.netDev),
      readText(paths.uptime),
      readThermalZones(sysRoot),
      Promise.allSettled(filesystems.map(statFilesystem)),
    ]);
    const samples: HostSample[] = [];
    const problems: string[] = [];

    // Parsing is synchronous and in a fixed order, so samples come out in a stable order.
    const parse = (path: string, text: string | Error, emit: (text: string) => void): void => {
      if (text instanceof Error) {
        problems.push(`${path}: ${errorReason(text)}`);
        return;
      }
      try {
        emit(text);
      } catch (err) {
        problems.push(`${path}: ${errorReason(err)}`);
      }
    };

    parse(paths.stat, stat, (text) => {
      const curr = parseProcStat(text);
      const ratio = prevCpu === undefined ? undefined : cpuUsageRatio(prevCpu, curr);
      prevCpu = curr;
      if (ratio !== undefined) samples.push(sample(M.cpuUsage, ratio));
    });
    parse(paths.loadavg, loadavg, (text) => {
      const l = parseLoadavg(text);
      samples.push(sample(M.load1, l.load1), sample(M.load5, l.load5), sample(M.load15, l.load15));
    });
    parse(paths.meminfo, meminfo, (text) => {
      const m = parseMeminfo(text);
      if (m.memTotalBytes !== undefined) samples.push(sample(M.memoryTotal, m.memTotalBytes));
      if (m.memAvailableBytes !== undefined) samples.push(sample(M.memoryAvailable, m.memAvailableBytes));
      if (m.swapTotalBytes !== undefined) samples.push(sample(M.swapTotal, m.swapTotalBytes));
      if (m.swapFreeBytes !== undefined) samples.push(sample(M.swapFree, m.swapFreeBytes));
    });

    for (let i = 0; i < filesystems.length; i++) {
      const mountpoint = filesystems[i]!;
      const r = fsResults[i];
      if (r === undefined) continue;
      if (r.status === 'rejected') {
        problems.push(`filesystem ${mountpoint}: ${errorReason(r.reason)}`);
        continue;
      }
      const fs = r.value;
      samples.push(
        sample(M.fsSize, fs.sizeBytes, { mountpoint }),
        sample(M.fsAvail, fs.availBytes, { mountpoint }),
        sample(M.fsAvailRatio, fs.sizeBytes > 0 ? fs.availBytes / fs.sizeBytes : 0, { mountpoint }),
        sample(M.fsFree, fs.freeBytes, { mountpoint }),
        sample(M.fsFiles, fs.files, { mountpoint }),
        sample(M.fsFilesFree, fs.filesFree, { mountpoint }),
      );
    }

    parse(paths.diskstats, diskstats, (text) => {
      for (const d of parseDiskstats(text)) {
        samples.push(
          sample(M.diskRead, d.readBytes, { device: d.device }),
          sample(M.diskWritten, d.writtenBytes, { device: d.device }),
        );
      }
    });
    parse(paths.netDev, netDev, (text) => {
      const missing = wanted === undefined ? undefined : new Set(wanted);
      for (const n of parseNetDev(text)) {
        if (wanted === undefined ? n.device === 'lo' : !wanted.has(n.device)) continue;
        missing?.delete(n.device);
        samples.push(
          sample(M.netRx, n.rxBytes, { device: n.device }),
          sample(M.netTx, n.txBytes, { device: n.device }),
          sample(M.netRxErrors, n.rxErrors, { device: n.device }),
          sample(M.netTxErrors, n.txErrors, { device: n.device }),
        );
      }
      // An explicitly configured interface that is gone (USB dongle unplugged, renamed) is worth a line.
      for (const name of missing ?? []) problems.push(`${paths.netDev}: interface ${name} not found`);
    });

    for (const z of thermal.zones) samples.push(sample(M.temperature, z.celsius, { zone: z.zone }));
    problems.push(...thermal.problems);

    parse(paths.uptime, uptime, (text) => {
      samples.push(sample(M.uptime, parseUptime(text)));
    });

    return { samples, problems };
  }

  return { collect };
}
