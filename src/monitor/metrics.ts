import type { EventBus } from '../core/events.js';
import './events.js';
import type { CommandContext } from '../core/context.js';
import { StewardError } from '../core/errors.js';
import type { ScheduledJob } from '../daemon/scheduler.js';
import { HOUR_MS, type MetricAgg, type MetricSample, type SeriesPoints } from '../store/index.js';
import type { MetricsConfig } from './config-schema.js';

/** Points a query may return per series: enough for a 30-day chart at 1-minute steps. */
export const MAX_POINTS = 50_000;

export interface MetricsQuery {
  name: string;
  match?: Record<string, string>;
  from: number;
  to: number;
  step: number;
  agg: MetricAgg;
}

export interface MetricsQueryResult {
  /** `raw` samples or `hourly` rollups, whichever covers the range at the step asked for. */
  source: 'raw' | 'hourly';
  from: number;
  to: number;
  step: number;
  agg: MetricAgg;
  series: SeriesPoints[];
}

function metricsOf(ctx: CommandContext): MetricsConfig {
  return ctx.config.metrics;
}

/**
 * Raw samples when the whole range is still within raw retention and the step is finer than an
 * hour; hourly rollups otherwise (the step is then rounded up to whole hours).
 */
export function queryMetrics(ctx: CommandContext, q: MetricsQuery): MetricsQueryResult {
  if (!(q.to > q.from)) throw new StewardError('E_USAGE', '"to" must be after "from"');
  if (!(Number.isSafeInteger(q.step) && q.step >= 1000)) {
    throw new StewardError('E_USAGE', 'step must be at least 1s');
  }
  if ((q.to - q.from) / q.step > MAX_POINTS) {
    throw new StewardError('E_USAGE', `that range and step give more than ${MAX_POINTS} points per series`, {
      hint: 'use a larger step or a shorter range',
    });
  }
  const rawFrom = ctx.clock.now().getTime() - metricsOf(ctx).retention.raw;
  const hourly = q.step >= HOUR_MS || q.from < rawFrom;
  const step = hourly ? Math.ceil(q.step / HOUR_MS) * HOUR_MS : q.step;
  const query = { ...q, step };
  return {
    source: hourly ? 'hourly' : 'raw',
    from: q.from,
    to: q.to,
    step,
    agg: q.agg,
    series: ctx.store.metrics.range(query, hourly),
  };
}

/** Stores samples; those without a timestamp are stamped now. */
export function ingestSamples(
  ctx: CommandContext,
  samples: readonly (Omit<MetricSample, 'ts'> & { ts?: number | undefined })[],
  events?: EventBus,
): { written: number; duplicates: number } {
  const now = ctx.clock.now().getTime();
  const stored = samples.map((s) => ({ ...s, ts: s.ts ?? now }));
  const result = ctx.store.metrics.write(stored);
  // Alert rules on metrics evaluate on arrival, after the samples are safely stored.
  events?.publish('metrics.ingested', { samples: stored });
  return result;
}

export function pruneMetrics(ctx: CommandContext): { samples: number; rollups: number } {
  const now = ctx.clock.now().getTime();
  const { raw, hourly } = metricsOf(ctx).retention;
  return ctx.store.metrics.prune(now - raw, now - hourly);
}

/** `metrics:prune` for the daemon's scheduler. */
export function metricsScheduledJobs(ctx: () => CommandContext): ScheduledJob[] {
  const c = ctx();
  return [
    {
      name: 'metrics:prune',
      schedule: metricsOf(c).prune_schedule,
      catchUp: true,
      jitterMs: 0,
      async run() {
        const removed = pruneMetrics(ctx());
        ctx().logger.info({ removed }, 'metrics pruned');
      },
    },
  ];
}
