import { StewardError } from './errors.js';
import { groupAlive, signalGroup } from './proc.js';

export interface RunShellOptions {
  cwd?: string;
  /** Added to the daemon's environment. */
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** How long the process group gets between SIGTERM and SIGKILL. */
  killGraceMs?: number;
}

export interface RunShellResult {
  exitCode: 0;
  stdoutTail: string;
  stderrTail: string;
  durationMs: number;
}

const tailBytes = 4096;

/** Keeps the last `tailBytes` of a stream: enough to explain a failure, bounded for chatty tools. */
class Tail {
  #buf = Buffer.alloc(0);
  push(chunk: Buffer): void {
    const joined = Buffer.concat([this.#buf, chunk]);
    this.#buf = joined.length > tailBytes ? joined.subarray(joined.length - tailBytes) : joined;
  }
  toString(): string {
    return this.#buf.toString('utf8');
  }
}

export function abortError(message = 'aborted', cause?: unknown): Error {
  const err = new Error(message, cause === undefined ? undefined : { cause });
  err.name = 'AbortError';
  return err;
}

/** True for our AbortError and for the DOMException that AbortSignal APIs throw. */
export function isAbortError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError';
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function lastLine(text: string): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return lines.at(-1)?.trim() ?? '';
}

/**
 * Runs `command` through /bin/sh as the leader of its own process group, so that a timeout or
 * abort reaches everything it started (a `cmd &` in a hook must not outlive the daemon's intent).
 */
export async function runShell(command: string, options: RunShellOptions = {}): Promise<RunShellResult> {
  const { cwd, env, signal, timeoutMs, killGraceMs = 5000 } = options;
  if (signal?.aborted) throw abortError('command aborted before it started', signal.reason);

  const started = performance.now();
  // Imported on first use: execa is a third of the CLI's start-up time and most commands never spawn.
  const { execa } = await import('execa');
  const child = execa('/bin/sh', ['-c', command], {
    cwd,
    env,
    detached: true,
    stdin: 'ignore',
    buffer: false,
    reject: false,
  });
  const stdout = new Tail();
  const stderr = new Tail();
  child.stdout?.on('data', (c: Buffer) => stdout.push(c));
  child.stderr?.on('data', (c: Buffer) => stderr.push(c));

  let stopReason: 'timeout' | 'abort' | null = null;
  let killTimer: NodeJS.Timeout | undefined;
  const terminate = (reason: 'timeout' | 'abort') => {
    if (stopReason !== null || child.pid === undefined) return;
    stopReason = reason;
    const pid = child.pid;
    signalGroup(pid, 'SIGTERM');
    killTimer = setTimeout(() => signalGroup(pid, 'SIGKILL'), killGraceMs);
  };
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => terminate('timeout'), timeoutMs);
  const onAbort = () => terminate('abort');
  signal?.addEventListener('abort', onAbort, { once: true });

  try {
    const result = await child;
    if (stopReason !== null && child.pid !== undefined) {
      // The shell may exit before its children do; wait for the whole group, SIGKILL after the grace.
      const deadline = performance.now() + killGraceMs;
      while (groupAlive(child.pid) && performance.now() < deadline) await sleep(25);
      if (groupAlive(child.pid)) {
        signalGroup(child.pid, 'SIGKILL');
        // SIGKILL is not refused, but a process in uninterruptible sleep takes a moment to go.
        for (let i = 0; i < 100 && groupAlive(child.pid); i++) await sleep(10);
      }
    }
    const durationMs = Math.round(performance.now() - started);
    const details = { stderrTail: stderr.toString(), durationMs };
    if (stopReason === 'abort') throw abortError('command aborted', signal?.reason);
    if (stopReason === 'timeout') {
      throw new StewardError('E_EXTERNAL', `command timed out after ${timeoutMs} ms`, { details });
    }
    if (result.exitCode === 0) {
      return { exitCode: 0, stdoutTail: stdout.toString(), stderrTail: stderr.toString(), durationMs };
    }
    if (result.exitCode === undefined) {
      const why = result.signal ? `was killed by ${result.signal}` : `failed to start: ${result.message}`;
      throw new StewardError('E_EXTERNAL', `command ${why}`, { details, cause: result.cause });
    }
    const line = lastLine(stderr.toString());
    throw new StewardError(
      'E_EXTERNAL',
      `command exited with code ${result.exitCode}${line ? `: ${line}` : ''}`,
      {
        details,
      },
    );
  } finally {
    clearTimeout(timer);
    clearTimeout(killTimer);
    signal?.removeEventListener('abort', onAbort);
  }
}
