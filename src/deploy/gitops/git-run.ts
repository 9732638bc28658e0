import { StewardError } from '../../core/errors.js';
import { abortError } from '../../core/exec.js';
import { redact } from './redact.js';

export interface GitRunOptions {
  /** The complete environment (see gitEnv): git never sees the daemon's own. */
  env: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Scrubbed from any error text. */
  secrets: readonly string[];
  /** Names the operation in errors: `<file> <what> failed: …`. */
  what: string;
  hint?: string | undefined;
  /** Executable, for the one non-git command (tar). */
  file?: string;
}

const killGraceMs = 5000;
const stderrTailChars = 600;

/**
 * The minimal environment for git: no prompts (a daemon has no terminal), C locale (stable
 * messages), and only what git needs to find itself and the user's config and keys.
 */
export function gitEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    GIT_TERMINAL_PROMPT: '0',
    GCM_INTERACTIVE: 'never',
    LC_ALL: 'C',
  };
  if (process.env.HOME !== undefined) env.HOME = process.env.HOME;
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

/** Single-quotes a word for the shell git hands GIT_SSH_COMMAND to. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

const boilerplate = new Set([
  'Please make sure you have the correct access rights',
  'and the repository exists.',
]);

function stderrTail(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    // git's advice lines say nothing the hint does not; the line before them names the cause.
    .filter((l) => l !== '' && !l.startsWith('hint:') && !boilerplate.has(l));
  const tail = lines.slice(-3).join(' | ');
  return tail.length > stderrTailChars ? `…${tail.slice(-stderrTailChars)}` : tail;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * Runs git (or tar) and returns stdout. The child leads its own process group so that a timeout
 * or abort also stops what git started (ssh, git-remote-https).
 */
export async function runGit(args: readonly string[], options: GitRunOptions): Promise<string> {
  const { env, timeoutMs, signal, secrets, what, hint, file = 'git' } = options;
  if (signal?.aborted) throw abortError(`${file} ${what} aborted`, signal.reason);
  // Imported on first use: execa is slow to load and most commands never spawn.
  const { execa } = await import('execa');
  const child = execa(file, args, {
    env,
    extendEnv: false,
    detached: true,
    stdin: 'ignore',
    reject: false,
    stripFinalNewline: false,
    maxBuffer: 64 * 1024 * 1024,
  });

  let stopped: 'timeout' | 'abort' | null = null;
  let killTimer: NodeJS.Timeout | undefined;
  const stop = (why: 'timeout' | 'abort') => {
    if (stopped !== null || child.pid === undefined) return;
    stopped = why;
    const pid = child.pid;
    killGroup(pid, 'SIGTERM');
    killTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), killGraceMs);
  };
  const timer = setTimeout(() => stop('timeout'), timeoutMs);
  const onAbort = () => stop('abort');
  signal?.addEventListener('abort', onAbort, { once: true });

  try {
    const result = await child;
    if (stopped === 'abort') throw abortError(`${file} ${what} aborted`, signal?.reason);
    if (stopped === 'timeout') {
      throw new StewardError('E_EXTERNAL', `${file} ${what} timed out after ${timeoutMs} ms`, {
        hint: hint ?? 'is the repository reachable? Raise the timeout for a large first fetch',
      });
    }
    if (result.exitCode === 0) return String(result.stdout);
    const stderr = redact(stderrTail(String(result.stderr ?? '')), secrets);
    const why =
      result.exitCode === undefined
        ? `could not run ${file}${result.code ? ` (${result.code})` : ''}`
        : stderr || `exit code ${result.exitCode}`;
    // No `cause`: execa's error repeats the command line and output unredacted.
    throw new StewardError('E_EXTERNAL', `${file} ${what} failed: ${why}`, {
      hint: result.exitCode === undefined ? `is ${file} installed and on PATH?` : hint,
      details: { exitCode: result.exitCode ?? null },
    });
  } finally {
    clearTimeout(timer);
    clearTimeout(killTimer);
    signal?.removeEventListener('abort', onAbort);
  }
}
