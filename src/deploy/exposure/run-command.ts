import { errorMessage, isStewardError } from '../../core/errors.js';
import { runShell } from '../../core/exec.js';
import type { ExposureRunRecord, ExposureTransition, ExposureTrigger } from '../../store/exposure-runs.js';
import type { ExposureDeps } from './types.js';

/** A funnel or proxy command that has not finished in two minutes is stuck; its process group is killed. */
export const EXPOSURE_COMMAND_TIMEOUT_MS = 120_000;

function joinTails(...tails: (string | undefined)[]): string {
  return tails
    .filter((t): t is string => t !== undefined && t !== '')
    .join('\n')
    .trimEnd();
}

/**
 * runShell throws on a non-zero exit with the code only in its message ("command exited with
 * code 3: …"); a timeout or a signal has none. `details.exitCode` is read first in case exec
 * starts carrying it.
 */
export function exitCodeOf(err: unknown): number | null {
  if (!isStewardError(err)) return null;
  const fromDetails = (err.details as { exitCode?: unknown } | undefined)?.exitCode;
  if (typeof fromDetails === 'number') return fromDetails;
  const m = /exited with code (\d+)/.exec(err.message);
  return m?.[1] === undefined ? null : Number(m[1]);
}

function stderrOf(err: unknown): string | undefined {
  if (!isStewardError(err)) return undefined;
  const tail = (err.details as { stderrTail?: unknown } | undefined)?.stderrTail;
  return typeof tail === 'string' ? tail : undefined;
}

/**
 * Runs one exposure command and records it: a 'running' row first (so a crash mid-command
 * leaves a trace), then 'ok' or 'failed' with exit code, output tail and error. Never throws:
 * returns whether the transition is now applied.
 */
export async function runExposureCommand(
  deps: ExposureDeps,
  input: { service: string; transition: ExposureTransition; command: string; trigger: ExposureTrigger },
): Promise<boolean> {
  const log = deps.logger.child({ service: input.service, transition: input.transition });
  let run: ExposureRunRecord;
  try {
    run = deps.runs.start(input);
  } catch (err) {
    log.error({ err: errorMessage(err) }, 'exposure: cannot record the run; command not started');
    return false;
  }
  log.info({ run: run.id, trigger: input.trigger, command: input.command }, 'exposure: running command');

  let outcome:
    | { ok: true; output: string }
    | { ok: false; output: string; exitCode: number | null; error: string };
  try {
    const res = await runShell(input.command, {
      cwd: deps.cwd,
      timeoutMs: EXPOSURE_COMMAND_TIMEOUT_MS,
      env: { STEWARD_SERVICE: input.service, STEWARD_EXPOSURE: input.transition, STEWARD_RUN_ID: run.id },
    });
    outcome = { ok: true, output: joinTails(res.stdoutTail, res.stderrTail) };
  } catch (err) {
    outcome = {
      ok: false,
      output: joinTails(stderrOf(err)),
      exitCode: exitCodeOf(err),
      error: errorMessage(err),
    };
  }

  let finished: ExposureRunRecord | null = null;
  try {
    finished = outcome.ok
      ? deps.runs.finish(run.id, { outcome: 'ok', exitCode: 0, output: outcome.output })
      : deps.runs.finish(run.id, {
          outcome: 'failed',
          exitCode: outcome.exitCode,
          output: outcome.output,
          error: outcome.error,
        });
  } catch (err) {
    log.error({ run: run.id, err: errorMessage(err) }, 'exposure: cannot record the outcome');
  }

  const details = {
    run: run.id,
    transition: input.transition,
    trigger: input.trigger,
    command: input.command,
    outcome: outcome.ok ? 'ok' : 'failed',
    exitCode: outcome.ok ? 0 : outcome.exitCode,
    ...(outcome.ok ? {} : { error: outcome.error }),
  };
  if (outcome.ok) log.info({ run: run.id }, 'exposure: applied');
  else log.warn({ run: run.id, exitCode: outcome.exitCode, err: outcome.error }, 'exposure: command failed');
  try {
    deps.audit?.({
      action: outcome.ok ? 'exposure.applied' : 'exposure.failed',
      target: `service:${input.service}`,
      details,
    });
  } catch (err) {
    log.error({ err: errorMessage(err) }, 'exposure: audit failed');
  }
  // Applied only when the store knows it too: otherwise a restart would disagree with memory.
  return outcome.ok && finished !== null;
}
