import type { Store } from '../store/db.js';
import type { RunRecorder } from './scheduler.js';

/** The scheduler records every run in job_runs through this. */
export function storeRecorder(store: Store): RunRecorder {
  return {
    start: (job, trigger) => store.jobRuns.start({ job, trigger, pid: process.pid }).id,
    finish: (runId, outcome, error) => {
      store.jobRuns.finish(runId, { outcome, ...(error !== undefined ? { error } : {}) });
    },
    lastStartedAt: (job) => store.jobRuns.lastStartedAt(job),
  };
}
