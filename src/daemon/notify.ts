import { spawn } from 'node:child_process';
import type { Logger } from '../core/logger.js';

/**
 * sd_notify for a process that cannot send unix datagrams (Node has no SOCK_DGRAM over AF_UNIX):
 * each message is handed to the `systemd-notify` binary. Every method returns at once; messages
 * go out one at a time, in order, from a child process.
 */
export interface Notifier {
  /** False when not started by systemd with Type=notify (no NOTIFY_SOCKET): every method is a no-op. */
  readonly enabled: boolean;
  /** The watchdog ping interval, or null when systemd asked for no watchdog (for us). */
  readonly watchdogIntervalMs: number | null;
  ready(): void;
  stopping(): void;
  status(text: string): void;
  startWatchdog(): void;
  stopWatchdog(): void;
  /** Resolves when every message queued so far has been handed over; for shutdown and tests. */
  flush(): Promise<void>;
}

export interface NotifierOptions {
  env?: NodeJS.ProcessEnv;
  logger: Logger;
  /** The binary to run; tests point it elsewhere. */
  binary?: string;
}

/** systemd-notify waits (up to 5 s) for systemd to confirm; beyond this something is wrong. */
const childTimeoutMs = 10_000;

function watchdogInterval(env: NodeJS.ProcessEnv): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return null;
  // WATCHDOG_PID names the process the watchdog is meant for; a child that inherited it is not.
  if (env.WATCHDOG_PID !== undefined && env.WATCHDOG_PID !== String(process.pid)) return null;
  return Math.max(1, Math.floor(usec / 2 / 1000));
}

export function createNotifier(options: NotifierOptions): Notifier {
  const { env = process.env, logger, binary = 'systemd-notify' } = options;
  const socket = env.NOTIFY_SOCKET;
  const interval = watchdogInterval(env);
  const log = logger.child({ component: 'notify' });

  const queue: string[][] = [];
  const idle: Array<() => void> = [];
  let busy = false;
  let broken = false;
  let timer: NodeJS.Timeout | undefined;

  const settleIdle = () => {
    for (const resolve of idle.splice(0)) resolve();
  };

  const pump = () => {
    const args = queue.shift();
    if (args === undefined || broken) {
      busy = false;
      queue.length = 0;
      settleIdle();
      return;
    }
    busy = true;
    // Not --no-block: waiting for systemd's BARRIER reply keeps this sender alive until systemd
    // has read the message, which it needs to map the sender's pid to our unit (NotifyAccess=all).
    const child = spawn(binary, args, {
      env: { ...process.env, NOTIFY_SOCKET: socket },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const kill = setTimeout(() => child.kill('SIGKILL'), childTimeoutMs);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(kill);
      pump();
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') {
        broken = true;
        log.warn({ binary }, 'systemd-notify not found; not sending readiness or watchdog pings to systemd');
      } else {
        log.debug({ err, args }, 'systemd-notify failed to start');
      }
      finish();
    });
    child.on('close', (code, signal) => {
      if (code !== 0) log.debug({ args, code, signal, stderr: stderr.trim() }, 'systemd-notify failed');
      finish();
    });
  };

  const send = (...args: string[]) => {
    if (broken) return;
    // Pings must not pile up behind a slow systemd-notify: one waiting is as good as many.
    if (args[0] === 'WATCHDOG=1' && queue.some((q) => q[0] === 'WATCHDOG=1')) return;
    queue.push(args);
    if (!busy) pump();
  };

  if (socket === undefined || socket === '') {
    const noop = () => {};
    return {
      enabled: false,
      watchdogIntervalMs: null,
      ready: noop,
      stopping: noop,
      status: noop,
      startWatchdog: noop,
      stopWatchdog: noop,
      flush: () => Promise.resolve(),
    };
  }

  return {
    enabled: true,
    watchdogIntervalMs: interval,
    ready: () => send('READY=1', `MAINPID=${process.pid}`),
    stopping: () => send('STOPPING=1'),
    status: (text) => send(`STATUS=${text.replace(/\n/g, ' ')}`),
    startWatchdog() {
      if (interval === null || timer !== undefined) return;
      timer = setInterval(() => send('WATCHDOG=1'), interval);
      timer.unref();
    },
    stopWatchdog() {
      clearInterval(timer);
      timer = undefined;
    },
    flush: () => (busy ? new Promise<void>((resolve) => idle.push(resolve)) : Promise.resolve()),
  };
}
