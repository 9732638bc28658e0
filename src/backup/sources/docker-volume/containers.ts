import { StewardError } from '../../../core/errors.js';
import type { Logger } from '../../../core/logger.js';
import { DockerCommandError, type DockerTarget, docker, lastLine } from './docker-cli.js';

/** A container this run stopped and must start again. */
export interface StoppedContainer {
  /** As written in stop_containers. */
  name: string;
  id: string;
}

interface StopContext {
  logger: Logger;
  signal?: AbortSignal;
  /** Told about listed containers that do not exist (nothing to stop, so not fatal). */
  warn(message: string, details?: Record<string, unknown>): void;
}

async function runningState(
  config: DockerTarget,
  name: string,
  signal?: AbortSignal,
): Promise<{ id: string; running: boolean } | null> {
  let stdout: string;
  try {
    stdout = await docker(config, ['container', 'inspect', '--format', '{{.Id}} {{.State.Running}}', name], {
      signal,
    });
  } catch (err) {
    if (err instanceof DockerCommandError && /no such (container|object)/i.test(err.stderr)) return null;
    throw err;
  }
  const [id = name, running] = stdout.trim().split(' ');
  return { id, running: running === 'true' };
}

/**
 * Stops those of `names` that are running, in order, and returns them. Ones already stopped
 * stay stopped afterwards. If a stop fails, the ones stopped so far are started again first.
 */
export async function stopRunning(
  config: DockerTarget,
  names: readonly string[],
  ctx: StopContext,
): Promise<StoppedContainer[]> {
  const stopped: StoppedContainer[] = [];
  try {
    for (const name of names) {
      const state = await runningState(config, name, ctx.signal);
      if (state === null) {
        ctx.warn(`container "${name}" (stop_containers) does not exist; nothing to stop`, {
          container: name,
        });
        continue;
      }
      if (!state.running) {
        ctx.logger.debug({ container: name }, 'container not running; leaving it stopped');
        continue;
      }
      ctx.logger.info({ container: name }, 'stopping container for a consistent copy');
      // Recorded before the stop returns: a stop that fails half-way may still have stopped it.
      stopped.push({ name, id: state.id });
      await docker(config, ['stop', state.id], { signal: ctx.signal }).catch((err: unknown) => {
        if (!(err instanceof DockerCommandError)) throw err;
        throw new StewardError('E_EXTERNAL', `could not stop container "${name}": ${lastLine(err.stderr)}`, {
          cause: err,
          details: err.details,
        });
      });
    }
  } catch (err) {
    await startAgain(config, stopped, ctx.logger).catch((restartErr: unknown) => {
      ctx.logger.error({ err: restartErr }, 'could not restart containers after a failed stop');
    });
    throw err;
  }
  return stopped;
}

/**
 * Starts every container again, each one even when another fails; never takes an abort
 * signal, since it is what must still happen after an abort.
 */
export async function startAgain(
  config: DockerTarget,
  stopped: readonly StoppedContainer[],
  logger: Logger,
): Promise<void> {
  const failures: { container: string; error: string }[] = [];
  for (const container of stopped) {
    try {
      await docker(config, ['start', container.id]);
      logger.info({ container: container.name }, 'container started again');
    } catch (err) {
      failures.push({ container: container.name, error: (err as Error).message });
    }
  }
  if (failures.length > 0) {
    throw new StewardError(
      'E_EXTERNAL',
      `could not start again: ${failures.map((f) => `${f.container} (${f.error})`).join('; ')}`,
      { details: { failures }, hint: 'start them by hand with `docker start`' },
    );
  }
}
