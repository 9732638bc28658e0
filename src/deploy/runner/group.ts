import { liveGroupMembers } from '../../core/proc.js';

/*
 * core/exec.ts keeps its own copies of these private; they are small enough that a second
 * copy beats widening exec.ts's API from here.
 */

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
