import { readdirSync, readFileSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  /** R, S, D, Z (zombie), X (dead), … */
  state: string;
  ppid: number;
  pgrp: number;
  /** Field 22: start time in clock ticks since boot; with the pid, it names one process across reuse. */
  startTime: string;
}

/** Parses /proc/<pid>/stat; null when the process does not exist or /proc is not there (not Linux). */
export function readProcStat(pid: number): ProcStat | null {
  let raw: string;
  try {
    raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // comm (field 2) is in parentheses and may itself contain spaces and parentheses.
  const rest = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
  const [state, ppid, pgrp] = rest;
  const startTime = rest[19];
  if (state === undefined || ppid === undefined || pgrp === undefined || startTime === undefined) return null;
  return { pid, state, ppid: Number(ppid), pgrp: Number(pgrp), startTime };
}

export function hasProcfs(): boolean {
  return readProcStat(process.pid) !== null;
}

/**
 * Pids of the non-zombie processes in a process group, or null without /proc. Zombies are left
 * out: where PID 1 does not reap orphans (some containers), they linger but hold nothing.
 */
export function liveGroupMembers(pgid: number): number[] | null {
  if (!hasProcfs()) return null;
  const live: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = readProcStat(Number(name));
    if (st && st.pgrp === pgid && st.state !== 'Z' && st.state !== 'X') live.push(st.pid);
  }
  return live;
}

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** Whether any non-zombie process of the group is left (see liveGroupMembers for why zombies do not count). */
export function groupAlive(pgid: number): boolean {
  const members = liveGroupMembers(pgid);
  if (members !== null) return members.length > 0;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * SIGTERM to the whole group, SIGKILL to whatever is left after `graceMs`; resolves once no
 * member is left. A service that forks helpers must not leave them holding its port for the
 * next start.
 */
export async function terminateGroup(pgid: number, graceMs: number): Promise<void> {
  if (!groupAlive(pgid)) return;
  signalGroup(pgid, 'SIGTERM');
  const deadline = performance.now() + graceMs;
  while (groupAlive(pgid) && performance.now() < deadline) await sleep(25);
  if (!groupAlive(pgid)) return;
  signalGroup(pgid, 'SIGKILL');
  // SIGKILL cannot be refused, but a process in uninterruptible sleep (D) takes a moment to go.
  for (let i = 0; i < 500 && groupAlive(pgid); i++) await sleep(10);
}
