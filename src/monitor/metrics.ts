import type { EventBus } from '../core/events.js';
import './events.js';
import type { CommandContext } from '../core/context.js';
import { StewardError } from '../core/errors.js';
import type { ScheduledJob } from '../daemon/scheduler.js';
import {
  HOUR_MS,
  type MetricAgg,
  type MetricSample,
  type MetricSource,
  MINUTE_MS,
  type SeriesPoints,
} from '../store/index.js';
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
  /** Raw samples, minute rollups or hourly rollups: see queryMetrics. */
  source: MetricSource;
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
 * Where a query reads, cheapest first: the minute rollups when the step is whole minutes under
 * an hour and the range is within minute retention (a 30-day range at 1-minute steps reads
 * 43,200 rollups instead of grouping 172,800 raw samples); the raw samples when the step is
 * under an hour and the range within raw retention; the hourly rollups otherwise (the step is
 * then rounded up to whole hours). The minute and raw sources give the same points.
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
  const source = sourceFor(ctx, q);
  const step = source === 'hourly' ? Math.ceil(q.step / HOUR_MS) * HOUR_MS : q.step;
  return {
    source,
    from: q.from,
    to: q.to,
    step,
    agg: q.agg,
    series: ctx.store.metrics.range({ ...q, step }, source),
  };
}

function sourceFor(ctx: CommandContext, q: MetricsQuery): MetricSource {
  if (q.step >= HOUR_MS) return 'hourly';
  const now = ctx.clock.now().getTime();
  const { retention } = metricsOf(ctx);
  if (q.step % MINUTE_MS === 0 && q.from >= now - retention.minute) return 'minute';
  return q.from >= now - retention.raw ? 'raw' : 'hourly';
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

export function pruneMetrics(ctx: CommandContext): ReturnType<CommandContext['store']['metrics']['prune']> {
  const now = ctx.clock.now().getTime();
  const { raw, minute, hourly } = metricsOf(ctx).retention;
  return ctx.store.metrics.prune({ raw: now - raw, minute: now - minute, hourly: now - hourly });
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
