import { randomBytes } from 'node:crypto';
import { StewardError } from '../../../core/errors.js';
import { abortError } from '../../../core/exec.js';
import type { DockerVolumeSourceConfig } from './schema.js';

/** What the docker CLI needs from a source's config. */
export type DockerTarget = Pick<DockerVolumeSourceConfig, 'docker' | 'host'>;

export function dockerEnv(config: DockerTarget): Record<string, string> {
  return config.host === undefined ? {} : { DOCKER_HOST: config.host };
}

/** A unique, recognisable name for a helper container, so that an aborted run can remove it. */
export function helperName(sourceName: string): string {
  return `steward-${sourceName}-${randomBytes(4).toString('hex')}`;
}

/** Keeps the last bytes of a stream: enough to explain a failure, bounded for chatty tools. */
export class Tail {
  #buf = Buffer.alloc(0);
  constructor(readonly limit = 4096) {}
  push(chunk: Buffer): void {
    const joined = Buffer.concat([this.#buf, chunk]);
    this.#buf = joined.length > this.limit ? joined.subarray(joined.length - this.limit) : joined;
  }
  toString(): string {
    return this.#buf.toString('utf8');
  }
}

/**
 * The last meaningful line of a tool's stderr: usually the one that says what went wrong
 * (docker ends its own errors with a "Run 'docker run --help'" line that says nothing).
 */
export function lastLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !/^Run '.*--help'/.test(l))
      .at(-1) ?? ''
  );
}

export class DockerCommandError extends StewardError {
  constructor(
    readonly args: readonly string[],
    readonly commandExitCode: number | undefined,
    readonly stderr: string,
    cause?: unknown,
  ) {
    const what = `docker ${args.slice(0, 2).join(' ')}`;
    const why = commandExitCode === undefined ? 'could not run' : `exited with code ${commandExitCode}`;
    const line = lastLine(stderr);
    super('E_EXTERNAL', `${what} ${why}${line ? `: ${line}` : ''}`, {
      details: { args, exitCode: commandExitCode, stderrTail: stderr.slice(-4096) },
      cause,
      hint:
        commandExitCode === undefined
          ? 'is the docker CLI installed? Set `docker:` to its path if it is not on PATH'
          : undefined,
    });
    this.name = 'DockerCommandError';
  }
}

/** Runs one short docker CLI command and returns its stdout; throws DockerCommandError on failure. */
export async function docker(
  config: DockerTarget,
  args: string[],
  options: { signal?: AbortSignal } = {},
): Promise<string> {
  if (options.signal?.aborted) throw abortError('aborted before docker ran', options.signal.reason);
  // Imported on first use: execa is slow to load and most commands never spawn.
  const { execa } = await import('execa');
  const result = await execa(config.docker, args, {
    env: dockerEnv(config),
    stdin: 'ignore',
    reject: false,
    cancelSignal: options.signal,
    maxBuffer: 16 * 1024 * 1024,
  });
  if (result.isCanceled) throw abortError(`docker ${args[0] ?? ''} aborted`, options.signal?.reason);
  if (result.exitCode === 0) return result.stdout;
  throw new DockerCommandError(args, result.exitCode, String(result.stderr || result.message), result.cause);
}
