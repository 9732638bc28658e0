/** Child processes of the checks benchmark and what /proc says about them. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import readline from 'node:readline';

const children = new Set<ChildProcess>();

/** Kills every child still running (SIGKILL): on exit, on error, on a signal. */
export function killChildren(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  children.clear();
}

process.once('exit', killChildren);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    killChildren();
    process.exit(130);
  });
}

export interface Child {
  proc: ChildProcess;
  pid: number;
  exited: Promise<void>;
  /** The next line the child prints on stdout (children started with lines: true). */
  nextLine(): Promise<string>;
  send(line: string): void;
  /** SIGTERM, then SIGKILL after graceMs. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Spawns a child that the benchmark tracks; `log` sends stdout and stderr to a file, otherwise
 * stdout is read line by line (stdin stays a pipe, so helpers exit when the benchmark does).
 */
export function startChild(argv: string[], opts: { log?: string; env?: NodeJS.ProcessEnv } = {}): Child {
  const logFd = opts.log ? fs.openSync(opts.log, 'a') : null;
  const proc = spawn(argv[0] as string, argv.slice(1), {
    env: opts.env ?? process.env,
    stdio: logFd === null ? ['pipe', 'pipe', 'inherit'] : ['ignore', logFd, logFd],
  });
  if (logFd !== null) fs.closeSync(logFd);
  if (!proc.pid) throw new Error(`cannot start ${argv.join(' ')}`);
  children.add(proc);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  void exited.then(() => children.delete(proc));
  const waiting: ((line: string) => void)[] = [];
  const buffered: string[] = [];
  if (proc.stdout) {
    readline.createInterface({ input: proc.stdout }).on('line', (line) => {
      const w = waiting.shift();
      if (w) w(line);
      else buffered.push(line);
    });
  }
  return {
    proc,
    pid: proc.pid,
    exited,
    nextLine: () =>
      new Promise<string>((resolve, reject) => {
        const b = buffered.shift();
        if (b !== undefined) return resolve(b);
        waiting.push(resolve);
        void exited.then(() => reject(new Error(`${argv.join(' ')} exited`)));
      }),
    send: (line) => proc.stdin?.write(`${line}\n`),
    async stop(graceMs = 15_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

let ticks: number | null = null;
/** USER_HZ, the unit of the times in /proc/<pid>/stat and /proc/stat. */
export function clockTicks(): number {
  if (ticks === null) {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    ticks = Number(r.stdout.trim()) || 100;
  }
  return ticks;
}

/** utime + stime of a process (all its threads), seconds. */
export function cpuSeconds(pid: number): number {
  const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "(comm)": state is field 3, utime 14, stime 15.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks();
}

/** VmRSS and VmHWM (peak) of a process, KiB. */
export function memory(pid: number): { rssKiB: number; hwmKiB: number } {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rssKiB: field('VmRSS'), hwmKiB: field('VmHWM') };
}

/** Busy CPU seconds of the whole machine (user, nice, system, irq, softirq, steal). */
export function machineBusySeconds(): number {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return (user + nice + system + irq + softirq + steal) / clockTicks();
}

export interface WindowFigures {
  wallS: number;
  /** The subject's CPU over the window, in cores (1.0 = one core busy). */
  cpuCores: number;
  /** The target process's CPU over the window, in cores. */
  targetCores: number;
  /** Everything else on the machine, in cores (busy minus subject minus target). */
  othersCores: number;
  /** Largest VmRSS sampled once a second in the window, MiB. */
  maxRssMiB: number;
  /** VmHWM at the end of the window (peak since the process started), MiB. */
  peakRssMiB: number;
}

/** Watches `pid` for `seconds`: CPU from /proc/<pid>/stat, VmRSS every second, VmHWM at the end. */
export async function measureWindow(pid: number, targetPid: number, seconds: number): Promise<WindowFigures> {
  const t0 = performance.now();
  const cpu0 = cpuSeconds(pid);
  const target0 = cpuSeconds(targetPid);
  const busy0 = machineBusySeconds();
  let maxRssKiB = memory(pid).rssKiB;
  const end = t0 + seconds * 1000;
  while (performance.now() < end) {
    await sleep(Math.min(1000, end - performance.now()));
    maxRssKiB = Math.max(maxRssKiB, memory(pid).rssKiB);
  }
  const cpu1 = cpuSeconds(pid);
  const target1 = cpuSeconds(targetPid);
  const busy1 = machineBusySeconds();
  const wallS = (performance.now() - t0) / 1000;
  const own = cpu1 - cpu0;
  const target = target1 - target0;
  return {
    wallS,
    cpuCores: own / wallS,
    targetCores: target / wallS,
    othersCores: Math.max(0, (busy1 - busy0 - own - target) / wallS),
    maxRssMiB: maxRssKiB / 1024,
    peakRssMiB: memory(pid).hwmKiB / 1024,
  };
}
