import { StewardError } from '../../core/errors.js';
import { abortError } from '../../core/exec.js';

export interface ComposeCli {
  command: string;
  baseArgs: string[];
  version: string;
  flavour: 'v2' | 'v1';
}

export interface ComposeRunResult {
  /** undefined when the command could not be started at all (not installed). */
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}

const TAIL_CHARS = 4096;
const DETECT_TIMEOUT_MS = 30_000;

export function tail(text: string, chars = TAIL_CHARS): string {
  return text.length > chars ? text.slice(-chars) : text;
}

/** The last non-empty line of a tool's output: usually the one that says what went wrong. */
export function lastLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '')
      .at(-1) ?? ''
  );
}

/**
 * Runs one command and buffers its output. `env` is added to the daemon's own environment
 * (compose needs PATH and HOME as much as DOCKER_HOST). Never throws for a failed exit.
 */
export async function runCommand(
  command: string,
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string; signal?: AbortSignal; timeoutMs?: number },
): Promise<ComposeRunResult> {
  if (options.signal?.aborted) throw abortError(`${command} aborted before it ran`, options.signal.reason);
  // Imported on first use: execa is slow to load and most commands never spawn.
  const { execa } = await import('execa');
  const result = await execa(command, args, {
    env: options.env,
    cwd: options.cwd,
    stdin: 'ignore',
    reject: false,
    cancelSignal: options.signal,
    timeout: options.timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.isCanceled) throw abortError(`${command} ${args.join(' ')} aborted`, options.signal?.reason);
  if (result.timedOut) {
    throw new StewardError(
      'E_EXTERNAL',
      `${command} ${args.join(' ')} timed out after ${options.timeoutMs} ms`,
    );
  }
  return {
    exitCode: result.exitCode,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
  };
}

/** Runs compose with `args` after the CLI's own base arguments (`compose` for the v2 plugin). */
export function runCompose(
  cli: ComposeCli,
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string; signal?: AbortSignal },
): Promise<ComposeRunResult> {
  return runCommand(cli.command, [...cli.baseArgs, ...args], options);
}

const VERSION = /v?(\d+\.\d+\.\d+[0-9A-Za-z.+-]*)/;

function flavourOf(version: string): 'v1' | 'v2' {
  // A standalone `docker-compose` binary can be v2 too; only 1.x speaks the old dialect.
  return version.startsWith('1.') ? 'v1' : 'v2';
}

async function detect(env: NodeJS.ProcessEnv): Promise<ComposeCli> {
  const plugin = await runCommand('docker', ['compose', 'version'], { env, timeoutMs: DETECT_TIMEOUT_MS });
  // Without the plugin, docker exits non-zero ("'compose' is not a docker command").
  const pluginVersion = /compose/i.test(plugin.stdout) ? VERSION.exec(plugin.stdout)?.[1] : undefined;
  if (plugin.exitCode === 0 && pluginVersion !== undefined) {
    return { command: 'docker', baseArgs: ['compose'], version: pluginVersion, flavour: 'v2' };
  }
  const standalone = await runCommand('docker-compose', ['version', '--short'], {
    env,
    timeoutMs: DETECT_TIMEOUT_MS,
  });
  const version = VERSION.exec(standalone.stdout)?.[1];
  if (standalone.exitCode === 0 && version !== undefined) {
    return { command: 'docker-compose', baseArgs: [], version, flavour: flavourOf(version) };
  }
  throw new StewardError(
    'E_EXTERNAL',
    'neither `docker compose` (v2) nor `docker-compose` (v1) is available',
    {
      hint: 'install Debian’s docker-compose package (apt-get install docker-compose), or docker-compose-plugin from Docker’s apt repository',
      details: {
        plugin: lastLine(plugin.stderr) || null,
        standalone: lastLine(standalone.stderr) || null,
      },
    },
  );
}

const cache = new Map<string, Promise<ComposeCli>>();

/** What decides which compose runs: where binaries are found and where docker keeps its CLI plugins. */
function cacheKey(env: NodeJS.ProcessEnv): string {
  const pick = (k: string) => env[k] ?? process.env[k] ?? '';
  return [pick('PATH'), pick('HOME'), pick('DOCKER_CONFIG')].join('\0');
}

/**
 * `docker compose version` (v2) else `docker-compose version --short` (v1). Cached per
 * environment; a failed detection is not cached, so installing compose needs no restart.
 */
export function detectComposeCli(env: NodeJS.ProcessEnv): Promise<ComposeCli> {
  const key = cacheKey(env);
  let found = cache.get(key);
  if (found === undefined) {
    found = detect(env);
    cache.set(key, found);
    found.catch(() => cache.delete(key));
  }
  return found;
}
