import fs from 'node:fs';
import path from 'node:path';
import type { ResolvedConfig } from '../config/resolve.js';
import { runShell } from '../core/exec.js';
import type { Logger } from '../core/logger.js';
import { acquireLock } from '../daemon/lock.js';
import type { ScheduledJob } from '../daemon/scheduler.js';

/** Lock file that keeps one run of a job at a time across the daemon and the CLI. */
export function jobLockFile(dataDir: string, job: string): string {
  return path.join(dataDir, 'locks', `job-${job}.lock`);
}

/**
 * The `jobs:` section as scheduler jobs. Each run takes the job's lock, so a run started
 * from the CLI and one from the daemon never overlap; a live holder fails the run.
 */
export function commandJobs(config: ResolvedConfig, logger: Logger): ScheduledJob[] {
  return Object.entries(config.jobs).map(([name, job]) => ({
    name,
    ...(job.schedule ? { schedule: job.schedule } : {}),
    ...(job.timezone ? { timezone: job.timezone } : {}),
    catchUp: job.catch_up,
    jitterMs: job.jitter,
    async run({ signal, runId }) {
      const lockFile = jobLockFile(config.data_dir, name);
      fs.mkdirSync(path.dirname(lockFile), { recursive: true, mode: 0o700 });
      const lock = acquireLock(lockFile, { purpose: `job ${name}` });
      try {
        const result = await runShell(job.run, {
          cwd: job.working_dir ?? config.source.dir,
          env: { ...process.env, ...job.env, STEWARD_JOB: name, STEWARD_RUN_ID: runId },
          signal,
          ...(job.timeout !== undefined ? { timeoutMs: job.timeout } : {}),
        });
        logger.debug({ job: name, runId, durationMs: result.durationMs }, 'job command finished');
      } finally {
        lock.release();
      }
    },
  }));
}
