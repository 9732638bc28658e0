import { Gauge, type Registry } from 'prom-client';
import type { Store } from '../store/db.js';

/**
 * Backup gauges, read from the store at scrape time, so runs started from the CLI count too.
 * `jobs` is read on every scrape, so a config reload is picked up.
 */
export function backupMetrics(registry: Registry, store: Store, jobs: () => string[]): void {
  const lastRuns = () =>
    jobs().flatMap((job) => {
      const run = store.backupRuns.lastSuccess(job);
      return run ? [{ job, run }] : [];
    });

  new Gauge({
    name: 'steward_backup_last_success_timestamp_seconds',
    help: 'When the last completed (or degraded) backup run of the job finished, as a Unix time.',
    labelNames: ['job'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { job, run } of lastRuns()) {
        if (run.finishedAt) this.set({ job }, Date.parse(run.finishedAt) / 1000);
      }
    },
  });
  new Gauge({
    name: 'steward_backup_size_bytes',
    help: 'Size of the archive the last successful run of the job wrote (encrypted, compressed).',
    labelNames: ['job'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { job, run } of lastRuns())
        if (run.archiveBytes !== null) this.set({ job }, run.archiveBytes);
    },
  });
  new Gauge({
    name: 'steward_backup_duration_seconds',
    help: 'How long the last successful run of the job took.',
    labelNames: ['job'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { job, run } of lastRuns()) {
        if (run.finishedAt)
          this.set({ job }, (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000);
      }
    },
  });
  new Gauge({
    name: 'steward_recovery_point_rto_seconds',
    help: 'Measured recovery time of the last restore drill of the job.',
    labelNames: ['job'],
    registers: [registry],
    collect() {
      this.reset();
      for (const job of jobs()) {
        const point = store.recoveryPoints.list({ job, limit: 1 })[0];
        if (point?.rtoMs != null) this.set({ job }, point.rtoMs / 1000);
      }
    },
  });
  new Gauge({
    name: 'steward_recovery_point_success',
    help: '1 if the last restore drill of the job passed, 0 if it failed.',
    labelNames: ['job'],
    registers: [registry],
    collect() {
      this.reset();
      for (const job of jobs()) {
        const point = store.recoveryPoints.list({ job, limit: 1 })[0];
        if (point) this.set({ job }, point.result === 'passed' ? 1 : 0);
      }
    },
  });
}
