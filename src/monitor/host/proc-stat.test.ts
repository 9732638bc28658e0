import { describe, expect, it } from 'vitest';
import { type CpuTimes, cpuTotal, cpuUsageRatio, parseProcStat } from './proc-stat.js';

// Head of /proc/stat from a 2-vCPU Linux 6.x VM.
const STAT = `cpu  892257 0 197091 1220593 13194 0 2709 49762 0 0
cpu0 422934 0 93371 642625 3473 0 464 24828 0 0
cpu1 469322 0 103719 577968 9720 0 2244 24933 0 0
intr 17974703 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1 1 14 0 0 0 0 2387
ctxt 51084214
btime 1795376030
processes 166725
procs_running 3
procs_blocked 0
softirq 4249189 0 533237 566 107056 745594 0 7 1551173 853 1310703
`;

const base: CpuTimes = { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0 };

describe('parseProcStat', () => {
  it('reads the aggregate cpu line', () => {
    expect(parseProcStat(STAT)).toEqual({
      user: 892257,
      nice: 0,
      system: 197091,
      idle: 1220593,
      iowait: 13194,
      irq: 0,
      softirq: 2709,
      steal: 49762,
    });
  });

  it('leaves guest time out of the total (it is already in user/nice)', () => {
    const t = parseProcStat('cpu  100 10 50 800 20 5 5 10 90 9\n');
    expect(cpuTotal(t)).toBe(1000);
  });

  it('accepts an old kernel line with only four fields', () => {
    expect(parseProcStat('cpu  1 2 3 4\n')).toEqual({ ...base, user: 1, nice: 2, system: 3, idle: 4 });
  });

  it('finds the cpu line when it is not first and the file has no trailing newline', () => {
    expect(parseProcStat('intr 1 2\ncpu  1 2 3 4 5 6 7 8').steal).toBe(8);
  });

  it.each(['', 'intr 1 2 3\n', 'cpu  1 2 x 4\n', 'cpu  1 2\n', 'cpu0 1 2 3 4\n'])('rejects %j', (text) => {
    expect(() => parseProcStat(text)).toThrow();
  });
});

describe('cpuUsageRatio', () => {
  it('is Δbusy / Δtotal, with iowait counted as idle', () => {
    const prev = parseProcStat('cpu  1000 0 500 8000 100 0 50 0 0 0\n');
    // +300 user, +100 system, +50 softirq, +500 idle, +50 iowait → busy 450 of 1000.
    const curr = parseProcStat('cpu  1300 0 600 8500 150 0 100 0 0 0\n');
    expect(cpuUsageRatio(prev, curr)).toBeCloseTo(0.45, 10);
  });

  it('counts steal as busy', () => {
    const curr = { ...base, idle: 50, steal: 50 };
    expect(cpuUsageRatio(base, curr)).toBe(0.5);
  });

  it('is undefined when no time passed or counters went backwards', () => {
    const t = { ...base, user: 10, idle: 10 };
    expect(cpuUsageRatio(t, t)).toBeUndefined();
    expect(cpuUsageRatio(t, base)).toBeUndefined();
  });

  it('stays within 0..1 when a counter steps backwards', () => {
    // iowait falls by more than idle rises: Δidle < 0 would give a ratio above 1.
    const prev = { ...base, idle: 100, iowait: 100 };
    expect(cpuUsageRatio(prev, { ...base, user: 60, idle: 120, iowait: 50 })).toBe(1);
    // A busy counter falls: Δbusy < 0 would give a negative ratio.
    expect(cpuUsageRatio({ ...base, user: 100 }, { ...base, user: 90, idle: 20 })).toBe(0);
  });
});
