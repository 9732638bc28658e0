import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const GNU_TIME = '/usr/bin/time';

/** One command's figures from GNU time -v. */
export interface Measurement {
  /** Elapsed wall clock, seconds (GNU time's resolution: 10 ms). */
  wallS: number;
  /**
   * "Maximum resident set size" in KiB: getrusage's ru_maxrss of the waited-for child. For
   * `sh -c 'a | b | c'` that is the largest RSS of any one process of the pipeline (the
   * kernel keeps the maximum over the waited-for descendants, not their sum).
   */
  maxRssKiB: number;
  userS: number;
  sysS: number;
  /**
   * CPU used by everything else on the machine while the command ran, in cores (busy and
   * stolen time from /proc/stat minus the command's own user + sys, over its wall time).
   * Near 0 on a quiet machine; on 2 cores, 1.0 means half the machine was taken.
   */
  othersCores: number;
}

export interface TimedRun extends Measurement {
  stdout: string;
  stderr: string;
}

export function assertGnuTime(): void {
  if (!fs.existsSync(GNU_TIME)) {
    throw new Error(
      `${GNU_TIME} is missing: the benchmark reads wall time and peak RSS from GNU time -v (Debian package "time")`,
    );
  }
}

function parseElapsed(text: string): number {
  // "h:mm:ss" or "m:ss.ss"
  const parts = text.trim().split(':').map(Number);
  return parts.reduce((acc, p) => acc * 60 + p, 0);
}

/** Busy (incl. steal) and total CPU seconds of the whole machine so far, from /proc/stat. */
function machineCpu(): { busy: number; total: number } | null {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [, ...fields] = line.trim().split(/\s+/);
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] =
      fields.map(Number);
    const hz = 100; // USER_HZ on Linux
    const busy = (user + nice + system + irq + softirq + steal) / hz;
    return { busy, total: busy + (idle + iowait) / hz };
  } catch {
    return null;
  }
}

export function parseGnuTime(report: string): Omit<Measurement, 'othersCores'> {
  const field = (label: string): string => {
    const line = report.split('\n').find((l) => l.trim().startsWith(label));
    if (!line) throw new Error(`GNU time report has no "${label}" line:\n${report}`);
    return line.slice(line.lastIndexOf(': ') + 2);
  };
  return {
    wallS: parseElapsed(field('Elapsed (wall clock) time')),
    maxRssKiB: Number(field('Maximum resident set size (kbytes)')),
    userS: Number(field('User time (seconds)')),
    sysS: Number(field('System time (seconds)')),
  };
}

/**
 * Runs `argv` under `/usr/bin/time -v` (the report goes to a file, so the command's own
 * stderr stays separate) and throws with its output when it exits non-zero.
 */
export function timeCommand(
  label: string,
  argv: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): TimedRun {
  const reportFile = path.join(os.tmpdir(), `steward-bench-time-${process.pid}.txt`);
  try {
    const before = machineCpu();
    const r = spawnSync(GNU_TIME, ['-v', '-o', reportFile, ...argv], {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (r.error) throw r.error;
    if (r.status !== 0) {
      throw new Error(
        `${label} failed (exit ${r.status ?? r.signal}): ${argv.join(' ')}\n${r.stderr.slice(-4000)}\n${r.stdout.slice(-2000)}`,
      );
    }
    const after = machineCpu();
    const m = parseGnuTime(fs.readFileSync(reportFile, 'utf8'));
    const othersCores =
      before && after && m.wallS > 0
        ? Math.max(0, (after.busy - before.busy - m.userS - m.sysS) / m.wallS)
        : Number.NaN;
    return { ...m, othersCores, stdout: r.stdout, stderr: r.stderr };
  } finally {
    fs.rmSync(reportFile, { force: true });
  }
}

/** Runs a command untimed; throws with its output on failure. */
export function run(
  argv: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): string {
  const [cmd, ...args] = argv;
  const r = spawnSync(cmd as string, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    ...(opts.input !== undefined ? { input: opts.input } : {}),
  });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    throw new Error(`${argv.join(' ')} failed (exit ${r.status ?? r.signal}):\n${r.stderr}\n${r.stdout}`);
  }
  return r.stdout;
}

/** Single-quotes a word for sh. */
export function shq(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * An `sh -c` pipeline whose exit status is non-zero when any stage fails (dash has no
 * pipefail): each stage records its failure in a marker file checked at the end.
 */
export function shPipeline(stages: string[], redirect: string, failFile: string): string {
  const wrapped = stages.map((s, i) => `{ ${s} || echo ${i} >> ${shq(failFile)}; }`);
  return `rm -f ${shq(failFile)}; ${wrapped.join(' | ')}${redirect ? ` ${redirect}` : ''}; test ! -e ${shq(failFile)}`;
}
