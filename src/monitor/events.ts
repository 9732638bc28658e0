import type { MetricSample } from '../store/index.js';

declare module '../core/events.js' {
  interface StewardEvents {
    /** Samples just stored (API ingest, host sampler, check latency): metric alert rules evaluate them on arrival. */
    'metrics.ingested': { samples: readonly MetricSample[] };
  }
}
