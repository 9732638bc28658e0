import type { ProbeContext, ProbeResult } from '../types.js';

/** What every network probe reports once its signal aborted (the scheduler's timeout passed). */
export function timedOut(ctx: ProbeContext): ProbeResult {
  return { status: 'down', message: `timed out after ${ctx.timeoutMs} ms` };
}

/**
 * Runs a socket-based probe that settles exactly once. `start` opens its socket and returns the
 * function that destroys it; that runs on every outcome, and on abort the probe resolves at once
 * with `timedOut`, so a target that never answers cannot keep the probe (or a socket) alive.
 */
export function settleOnce(
  ctx: ProbeContext,
  start: (done: (result: ProbeResult) => void) => () => void,
): Promise<ProbeResult> {
  if (ctx.signal.aborted) return Promise.resolve(timedOut(ctx));
  return new Promise((resolve) => {
    let settled = false;
    let release: (() => void) | undefined;
    const done = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener('abort', onAbort);
      release?.();
      resolve(result);
    };
    const onAbort = () => done(timedOut(ctx));
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      release = start(done);
    } catch (err) {
      // A synchronous throw from net/tls (bad option) is still a failed probe, not a crash.
      done({ status: 'down', message: (err as Error).message });
    }
    // `start` may have finished synchronously (done before release was assigned).
    if (settled) release?.();
  });
}
