import type { Readable, Writable } from 'node:stream';
import { StewardError } from '../../../core/errors.js';
import { docker, dockerEnv, helperName, lastLine, Tail } from './docker-cli.js';
import type { DockerVolumeSourceConfig } from './schema.js';

type HelperConfig = Pick<DockerVolumeSourceConfig, 'name' | 'volume' | 'helper_image' | 'docker' | 'host'>;

export interface HelperExit {
  exitCode: number | undefined;
  signal: string | undefined;
  /** The spawn error's message when the CLI could not even start. */
  failure: string | undefined;
  stderr: string;
}

/** A short-lived container with the volume mounted at /volume, its stdio piped to us. */
export interface Helper {
  readonly name: string;
  readonly stdout: Readable;
  /** Null unless started with `stdin: true`. */
  readonly stdin: Writable | null;
  readonly exited: Promise<HelperExit>;
  /** Set once the helper has exited. */
  exit(): HelperExit | undefined;
  /** Whether stop() was called: its exit is then ours, not a failure of the helper. */
  stopped(): boolean;
  /** Removes the container (a SIGTERM forwarded to a PID 1 tar would be ignored) and ends the CLI. */
  stop(): Promise<HelperExit>;
  /** An error that says what the helper was doing, for a non-zero exit. */
  error(exit: HelperExit, doing: string): StewardError;
}

export async function startHelper(
  config: HelperConfig,
  options: { readOnly: boolean; command: string[]; stdin?: boolean },
): Promise<Helper> {
  const { execa } = await import('execa');
  const name = helperName(config.name);
  const child = execa(
    config.docker,
    [
      'run',
      '--rm',
      ...(options.stdin ? ['-i'] : []),
      '--name',
      name,
      '--label',
      'steward.helper=docker-volume',
      // The data passes through the attached stdio; a log driver would keep a second copy of it.
      '--log-driver',
      'none',
      '--network',
      'none',
      '-v',
      `${config.volume}:/volume${options.readOnly ? ':ro' : ''}`,
      config.helper_image,
      ...options.command,
    ],
    {
      env: dockerEnv(config),
      stdin: options.stdin ? 'pipe' : 'ignore',
      buffer: false,
      reject: false,
    },
  );
  const stderr = new Tail();
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));

  let exit: HelperExit | undefined;
  let stopping: Promise<HelperExit> | undefined;
  const exited = child.then((result) => {
    exit = {
      exitCode: result.exitCode,
      signal: result.signal,
      failure: result.exitCode === undefined && result.signal === undefined ? result.message : undefined,
      stderr: stderr.toString(),
    };
    return exit;
  });

  const stop = (): Promise<HelperExit> => {
    stopping ??= (async () => {
      // Output nobody reads blocks the CLI, and dockerd will not remove a container whose
      // attached output it cannot deliver: discard it first.
      child.stdout.unpipe();
      child.stdout.resume();
      if (exit === undefined) {
        await docker(config, ['rm', '-f', name]).catch(() => undefined);
        // SIGTERM would only be forwarded to the container; the CLI has nothing left to do.
        child.kill('SIGKILL');
      }
      const result = await exited;
      // A CLI killed between create and start leaves a created container behind.
      await docker(config, ['rm', '-f', name]).catch(() => undefined);
      return result;
    })();
    return stopping;
  };

  return {
    name,
    stdout: child.stdout,
    stdin: options.stdin ? child.stdin : null,
    exited,
    exit: () => exit,
    stopped: () => stopping !== undefined,
    stop,
    error: (result, doing) => helperError(config, result, doing),
  };
}

function helperError(config: HelperConfig, exit: HelperExit, doing: string): StewardError {
  const line = lastLine(exit.stderr) || exit.failure || '';
  const how =
    exit.exitCode !== undefined
      ? `exited with code ${exit.exitCode}`
      : exit.signal !== undefined
        ? `was killed by ${exit.signal}`
        : 'could not start';
  return new StewardError(
    'E_EXTERNAL',
    `helper container (${config.helper_image}) ${doing} volume "${config.volume}" ${how}${line ? `: ${line}` : ''}`,
    {
      details: { volume: config.volume, image: config.helper_image, ...exit },
      // 125: docker itself could not create or start the container (image missing, bad mount…).
      hint:
        exit.exitCode === 125
          ? 'is helper_image available on this host (docker pull it, or name a local image with sh and tar)?'
          : exit.exitCode === undefined && exit.signal === undefined
            ? 'is the docker CLI installed? Set `docker:` to its path if it is not on PATH'
            : undefined,
    },
  );
}
