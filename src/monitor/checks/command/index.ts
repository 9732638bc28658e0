import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import type { CheckDriver, ProbeResult } from '../types.js';
import type { CommandCheckConfig } from './schema.js';

export { type CommandCheckConfig, commandCheckSchema } from './schema.js';

/** Output kept per stream: the message is one line, and a chatty command must not cost memory. */
const OUTPUT_CAP = 64 * 1024;
const MESSAGE_MAX = 200;
/** After the shell exits, how long its pipes may take to deliver the rest of the output. */
const DRAIN_MS = 500;

/** Keeps the first OUTPUT_CAP bytes and drops the rest (still read, so the writer never blocks). */
class Head {
  #chunks: Buffer[] = [];
  #size = 0;
  push(chunk: Buffer): void {
    if (this.#size >= OUTPUT_CAP) return;
    const kept = chunk.subarray(0, OUTPUT_CAP - this.#size);
    this.#chunks.push(kept);
    this.#size += kept.length;
  }
  toString(): string {
    return Buffer.concat(this.#chunks).toString('utf8');
  }
}

export function firstLine(text: string): string {
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line !== '') return line.length > MESSAGE_MAX ? `${line.slice(0, MESSAGE_MAX - 1)}…` : line;
  }
  return '';
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: nothing of the group is left.
  }
}

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
  aborted: boolean;
}

/**
 * The command leads its own process group (detached), so that a timeout kills everything it
 * started — a `sleep` in a script, a pipeline — and not only the shell. Whatever it left running
 * in the background is killed when it exits too: a probe runs every interval, leftovers would pile up.
 */
export const commandCheck: CheckDriver<CommandCheckConfig> = {
  async probe(config, ctx): Promise<ProbeResult> {
    const timedOut: ProbeResult = { status: 'down', message: `timed out after ${ctx.timeoutMs} ms` };
    if (ctx.signal.aborted) return timedOut;
    // spawn reports a missing cwd as "spawn /bin/sh ENOENT", which points at the wrong thing.
    const dir = await stat(config.cwd).catch(() => null);
    if (!dir?.isDirectory()) return { status: 'down', message: `no such working directory: ${config.cwd}` };

    const started = performance.now();
    const child = spawn('/bin/sh', ['-c', config.run], {
      cwd: config.cwd,
      env: { ...process.env, ...config.env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout = new Head();
    const stderr = new Head();
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));

    const outcome = await new Promise<Outcome>((resolve) => {
      let aborted = false;
      const onAbort = () => {
        aborted = true;
        if (child.pid !== undefined) killGroup(child.pid);
      };
      const finish = (result: Omit<Outcome, 'aborted'>) => {
        ctx.signal.removeEventListener('abort', onAbort);
        resolve({ ...result, aborted });
      };
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      child.once('error', (error) => finish({ code: null, signal: null, error }));
      child.once('exit', (code, signal) => finish({ code, signal }));
    });
    const latencyMs = Math.round(performance.now() - started);
    if (child.pid !== undefined) killGroup(child.pid);
    // The group is gone, so its pipes close; the timer only guards against a stuck stream.
    let drainTimer: NodeJS.Timeout | undefined;
    await Promise.race([closed, new Promise((resolve) => (drainTimer = setTimeout(resolve, DRAIN_MS)))]);
    clearTimeout(drainTimer);
    child.stdout.destroy();
    child.stderr.destroy();

    if (outcome.aborted) return timedOut;
    if (outcome.error) return { status: 'down', message: `cannot run the command: ${outcome.error.message}` };
    const line = firstLine(stdout.toString()) || firstLine(stderr.toString());
    if (outcome.code === null) {
      const signal = outcome.signal ?? 'a signal';
      return { status: 'down', message: line || `killed by ${signal}`, latencyMs, details: { signal } };
    }
    const status =
      outcome.code === 0 ? 'up' : config.degraded_exit_codes.includes(outcome.code) ? 'degraded' : 'down';
    return {
      status,
      message: line || `exited with code ${outcome.code}`,
      latencyMs,
      details: { exit_code: outcome.code },
    };
  },
};
