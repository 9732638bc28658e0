import { StewardError } from '../../../core/errors.js';
import { abortError } from '../../../core/exec.js';
import { redact } from './redact.js';
import type { RcloneTargetConfig } from './schema.js';

/** rclone's exit code for "directory not found" (also what a missing single object yields). */
export const EXIT_DIR_NOT_FOUND = 3;

const tailBytes = 4096;
const tailLines = 4;

/** Keeps the end of rclone's stderr: its last lines say what went wrong. */
export class StderrTail {
  #buf = Buffer.alloc(0);
  push = (chunk: Buffer): void => {
    const joined = Buffer.concat([this.#buf, chunk]);
    this.#buf = joined.length > tailBytes ? joined.subarray(joined.length - tailBytes) : joined;
  };
  /** The last few lines, without rclone's timestamps, secrets redacted. */
  summary(): string {
    const lines = this.#buf
      .toString('utf8')
      .split('\n')
      .map((l) => l.replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d /, '').trim())
      .filter((l) => l !== '' && !l.startsWith('NOTICE: Config file'));
    return redact(lines.slice(-tailLines).join('; '));
  }
}

/**
 * Flags every call gets; the user's `flags` come last so they win. The connect timeout is
 * short so an unreachable remote fails in seconds; the IO idle timeout stays rclone's
 * (5 min): an upload may sit idle while a slow source is read.
 */
export function baseFlags(config: RcloneTargetConfig): string[] {
  return [
    ...(config.config_file ? ['--config', config.config_file] : []),
    '--ask-password=false', // never wait for a config password on stdin
    '--contimeout',
    '15s',
    ...(config.flags ?? []),
  ];
}

export interface RcloneCall {
  /** The subcommand and its own flags, e.g. ['lsjson', '--stat']. */
  command: string[];
  /** Remote paths; passed after `--` so nothing in them is read as a flag. */
  paths: string[];
}

export async function spawnRclone(
  config: RcloneTargetConfig,
  call: RcloneCall,
  options: { stdin: 'pipe' | 'ignore'; stdout: 'pipe' | 'ignore'; signal?: AbortSignal | undefined },
) {
  // Imported on first use: execa is a third of the CLI's start-up time and most runs never call rclone.
  const { execa } = await import('execa');
  const child = execa(config.binary, [...call.command, ...baseFlags(config), '--', ...call.paths], {
    stdin: options.stdin,
    stdout: options.stdout,
    stderr: 'pipe',
    buffer: false,
    reject: false,
    cancelSignal: options.signal,
    forceKillAfterDelay: 5000,
  });
  const tail = new StderrTail();
  child.stderr?.on('data', tail.push);
  return { child, tail };
}

export interface RcloneOutcome {
  exitCode: number | undefined;
  stdout: string;
  tail: StderrTail;
  /** Set when rclone did not run at all or was killed. */
  failure?: string;
  canceled: boolean;
}

/** Runs one rclone command to completion, collecting stdout (lsjson output). */
export async function runRclone(
  config: RcloneTargetConfig,
  call: RcloneCall,
  signal?: AbortSignal,
): Promise<RcloneOutcome> {
  signal?.throwIfAborted();
  const { child, tail } = await spawnRclone(config, call, { stdin: 'ignore', stdout: 'pipe', signal });
  const out: Buffer[] = [];
  child.stdout?.on('data', (c: Buffer) => out.push(c));
  return outcomeOf(config, await child, tail, Buffer.concat(out).toString('utf8'));
}

/** What became of a spawned rclone, for `rcloneError`. */
export function outcomeOf(
  config: RcloneTargetConfig,
  result: {
    exitCode?: number | undefined;
    isCanceled: boolean;
    signal?: string | undefined;
    cause?: unknown;
  },
  tail: StderrTail,
  stdout = '',
): RcloneOutcome {
  return {
    exitCode: result.exitCode,
    stdout,
    tail,
    canceled: result.isCanceled,
    ...(result.exitCode === undefined ? { failure: describeFailure(config, result) } : {}),
  };
}

function describeFailure(
  config: RcloneTargetConfig,
  result: { signal?: string | undefined; cause?: unknown },
): string {
  if (result.signal) return `rclone was killed by ${result.signal}`;
  if ((result.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    return `rclone executable ${JSON.stringify(config.binary)} not found; install rclone or set "binary"`;
  }
  return `rclone failed to start: ${redact(String((result.cause as Error | undefined)?.message ?? result.cause))}`;
}

/** Why a finished call failed, in one line: rclone's own last words where it had any. */
export function outcomeReason(outcome: RcloneOutcome): string {
  if (outcome.failure) return outcome.failure;
  const said = outcome.tail.summary();
  return `exit code ${outcome.exitCode}${said ? `: ${said}` : ''}`;
}

export function rcloneError(target: string, what: string, outcome: RcloneOutcome): Error {
  if (outcome.canceled) return abortError(`target ${target}: ${what} aborted`);
  return new StewardError('E_EXTERNAL', `target ${target}: ${what} failed (${outcomeReason(outcome)})`, {
    details: { exitCode: outcome.exitCode, stderrTail: outcome.tail.summary() },
  });
}

/** Runs a call and throws a readable error unless it exits 0. */
export async function rcloneOk(
  target: string,
  config: RcloneTargetConfig,
  call: RcloneCall,
  signal?: AbortSignal,
): Promise<RcloneOutcome> {
  const outcome = await runRclone(config, call, signal);
  if (outcome.exitCode !== 0) throw rcloneError(target, `rclone ${call.command[0]}`, outcome);
  return outcome;
}
