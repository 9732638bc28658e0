import fs from 'node:fs';
import { StewardError } from '../../core/errors.js';
import { runShell } from '../../core/exec.js';
import { readProcStat } from '../../core/proc.js';

/** How to make a running broker re-read its files. Mosquitto 2 reloads password_file and acl_file on SIGHUP. */
export interface ReloadSpec {
  /** Mosquitto's `pid_file`: SIGHUP goes to the pid in it. */
  pidFile?: string;
  /** A shell command instead (`systemctl reload mosquitto`, `docker kill -s HUP mqtt`). */
  command?: string;
}

export type ReloadResult = 'signal' | 'command' | 'not-running';

const commandTimeoutMs = 30_000;

export async function reloadBroker(spec: ReloadSpec): Promise<ReloadResult> {
  if (spec.command !== undefined) {
    await runShell(spec.command, { timeoutMs: commandTimeoutMs });
    return 'command';
  }
  if (spec.pidFile === undefined)
    throw new StewardError('E_INTERNAL', 'reloadBroker needs a pidFile or a command');
  const pid = readPid(spec.pidFile);
  if (pid === null || !isMosquitto(pid)) return 'not-running';
  try {
    process.kill(pid, 'SIGHUP');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return 'not-running'; // exited between the check and the signal
    throw new StewardError('E_EXTERNAL', `cannot signal the broker (pid ${pid}): ${code ?? String(err)}`, {
      hint: 'Steward needs to run as the broker’s user or root to send SIGHUP; or set reload.command',
      cause: err,
    });
  }
  return 'signal';
}

function readPid(pidFile: string): number | null {
  let text: string;
  try {
    text = fs.readFileSync(pidFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StewardError('E_EXTERNAL', `cannot read the broker's pid file ${pidFile}`, { cause: err });
  }
  const trimmed = text.trim();
  // An empty file is a broker that is still starting (or died mid-write): nothing to reload yet.
  if (trimmed === '') return null;
  if (!/^\d+$/.test(trimmed) || Number(trimmed) < 1) {
    throw new StewardError('E_EXTERNAL', `the pid file ${pidFile} does not hold a pid`);
  }
  return Number(trimmed);
}

/**
 * Whether `pid` is a live mosquitto. A stale pid file can name a reused pid, and SIGHUP kills most
 * processes, so an unrelated one is treated as "broker not running". Without /proc we cannot
 * tell, and trust the pid file.
 */
function isMosquitto(pid: number): boolean {
  const stat = readProcStat(pid);
  if (stat === null) {
    if (fs.existsSync('/proc/self/stat')) return false; // Linux: the process is gone
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
  if (stat.state === 'Z' || stat.state === 'X') return false;
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'mosquitto';
  } catch {
    return false;
  }
}
