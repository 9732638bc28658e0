import { splitFields, toNumber } from './fields.js';

/** Aggregate CPU time from the first `cpu` line of /proc/stat, in jiffies (USER_HZ ticks). */
export interface CpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

/** Parses the aggregate `cpu` line of /proc/stat. Throws when there is none. */
export function parseProcStat(text: string): CpuTimes {
  // The aggregate line comes first; only scan further if some kernel ever moves it.
  let start = text.startsWith('cpu ') ? 0 : text.indexOf('\ncpu ');
  if (start < 0) throw new Error('no aggregate cpu line');
  if (start > 0) start += 1;
  const end = text.indexOf('\n', start);
  const f = splitFields(end < 0 ? text.slice(start) : text.slice(start, end));
  // Fields after idle arrived in later 2.6 kernels; absent means "not accounted", i.e. 0.
  const opt = (i: number): number => (f[i] === undefined ? 0 : toNumber(f[i]));
  const times: CpuTimes = {
    user: toNumber(f[1]),
    nice: toNumber(f[2]),
    system: toNumber(f[3]),
    idle: toNumber(f[4]),
    iowait: opt(5),
    irq: opt(6),
    softirq: opt(7),
    steal: opt(8),
  };
  for (const v of Object.values(times)) {
    if (!Number.isFinite(v) || v < 0) throw new Error('malformed cpu line');
  }
  return times;
}

/** Sum of the accounted states; guest time is already inside user/nice, so it is not added. */
export function cpuTotal(t: CpuTimes): number {
  return t.user + t.nice + t.system + t.idle + t.iowait + t.irq + t.softirq + t.steal;
}

/**
 * Share of CPU time spent busy between two readings, 0..1. Undefined when no time passed (or the
 * counters went backwards), since a ratio over nothing would be a made-up 0.
 */
export function cpuUsageRatio(prev: CpuTimes, curr: CpuTimes): number | undefined {
  const total = cpuTotal(curr) - cpuTotal(prev);
  if (!(total > 0)) return undefined;
  const idle = curr.idle + curr.iowait - (prev.idle + prev.iowait);
  // iowait is known to step backwards on some kernels, which can push the ratio out of range.
  return Math.min(1, Math.max(0, (total - idle) / total));
}
