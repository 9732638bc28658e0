import { isAbortError } from '../../core/exec.js';
import type { FetchedRevision, GitSource } from './git-source.js';

export interface GitPollHandlers {
  onChange(rev: FetchedRevision): Promise<void> | void;
  onError(err: unknown): void;
}

export interface GitPoller {
  /** Stops the timer, aborts a fetch in flight and waits for the run in progress to end. */
  stop(): Promise<void>;
  /** Polls now (a webhook said something moved); resolves once a run started after this call ends. */
  pollNow(): Promise<void>;
}

/**
 * Follows a GitSource: fetches at start and then every `intervalMs` (0: only through pollNow),
 * and calls onChange when the branch head differs from the last one seen. Runs never overlap:
 * one loop drains the requests, and the timer is re-armed only when it is idle.
 *
 * onChange is called once per head, even if it throws: retrying a failed deployment on every
 * tick would repeat the failure (and its alerts); that decision belongs to the caller.
 */
export function pollGitSource(source: GitSource, intervalMs: number, handlers: GitPollHandlers): GitPoller {
  const controller = new AbortController();
  let stopped = false;
  let lastCommit: string | null = null;
  let timer: NodeJS.Timeout | undefined;
  let loop: Promise<void> | null = null;
  let again = false;
  let waiters: Array<() => void> = [];

  const report = (err: unknown) => {
    if (stopped && isAbortError(err)) return;
    try {
      handlers.onError(err);
    } catch {
      // A failing error handler must not end the loop.
    }
  };

  const runOnce = async () => {
    try {
      const rev = await source.fetch(controller.signal);
      if (stopped || rev.commit === lastCommit) return;
      lastCommit = rev.commit;
      await handlers.onChange(rev);
    } catch (err) {
      report(err);
    }
  };

  const schedule = () => {
    if (stopped || intervalMs <= 0) return;
    timer = setTimeout(() => void pollNow(), intervalMs);
    timer.unref();
  };

  const drain = async () => {
    clearTimeout(timer);
    try {
      while (again && !stopped) {
        again = false;
        const batch = waiters;
        waiters = [];
        await runOnce();
        for (const resolve of batch) resolve();
      }
    } finally {
      loop = null;
      if (stopped) releaseWaiters();
      else schedule();
    }
  };

  const releaseWaiters = () => {
    const batch = waiters;
    waiters = [];
    for (const resolve of batch) resolve();
  };

  function pollNow(): Promise<void> {
    if (stopped) return Promise.resolve();
    again = true;
    // Registered before the loop starts, so the loop's first run counts for this call.
    const done = new Promise<void>((resolve) => waiters.push(resolve));
    loop ??= drain();
    return done;
  }

  void pollNow();

  return {
    pollNow,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      controller.abort();
      await loop;
      releaseWaiters();
    },
  };
}
