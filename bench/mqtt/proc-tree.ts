/** Whether the daemon is one process: its threads and its child processes, from /proc. */
import fs from 'node:fs';

/** Pids of every descendant of `pid` (children of each of its threads, recursively). */
function descendants(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[] = [];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return out; // gone
  }
  for (const tid of tasks) {
    let text = '';
    try {
      text = fs.readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const child of text.trim().split(/\s+/).filter(Boolean).map(Number)) {
      out.push(child, ...descendants(child));
    }
  }
  return out;
}

export function daemonShape(pid: number): { threads: number; childProcesses: number } {
  let threads = Number.NaN;
  try {
    threads = fs.readdirSync(`/proc/${pid}/task`).length;
  } catch {
    // gone: NaN says so
  }
  return { threads, childProcesses: descendants(pid).length };
}
