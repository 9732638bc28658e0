import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { stewardVersion } from '../core/version.js';

/**
 * The daemon's Prometheus registry. One per daemon (not prom-client's global) so tests
 * can run several; capabilities register their own metrics on `registry`.
 */
export interface DaemonMetrics {
  readonly registry: Registry;
  jobFinished(job: string, outcome: string, durationMs: number): void;
  jobSkipped(job: string): void;
}

export function createDaemonMetrics(): DaemonMetrics {
  const registry = new Registry();
  // Standard names (process_*, nodejs_*) so existing dashboards work; minus the gauges
  // prom-client names *_total, which promtool rightly flags as non-counters.
  collectDefaultMetrics({ register: registry });
  for (const name of [
    'nodejs_active_handles_total',
    'nodejs_active_requests_total',
    'nodejs_active_resources_total',
  ]) {
    registry.removeSingleMetric(name);
  }

  new Gauge({
    name: 'steward_build_info',
    help: 'Steward build information; the value is always 1.',
    labelNames: ['version', 'node_version'],
    registers: [registry],
  }).set({ version: stewardVersion, node_version: process.version }, 1);

  const runs = new Counter({
    name: 'steward_job_runs_total',
    help: 'Job runs by job and outcome.',
    labelNames: ['job', 'outcome'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'steward_job_duration_seconds',
    help: 'Duration of job runs.',
    labelNames: ['job'],
    buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 14400],
    registers: [registry],
  });
  const skipped = new Counter({
    name: 'steward_job_skipped_total',
    help: 'Scheduled starts skipped because the previous run of the job was still running.',
    labelNames: ['job'],
    registers: [registry],
  });

  return {
    registry,
    jobFinished(job, outcome, durationMs) {
      runs.inc({ job, outcome });
      duration.observe({ job }, durationMs / 1000);
    },
    jobSkipped(job) {
      skipped.inc({ job });
    },
  };
}
