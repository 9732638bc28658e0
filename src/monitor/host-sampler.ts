import fs from 'node:fs';
import type { Clock } from '../core/clock.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import './events.js';
import type { Store } from '../store/index.js';
import type { HostMetricsConfig } from './checks/config-schema.js';
import { createHostCollector, type HostSample } from './host/index.js';

/**
 * Samples the host on an interval: each collection goes to the metrics store in one batch and
 * is kept as the latest for /metrics. Problems (a filesystem gone, no thermal zones) are
 * logged once each, not every interval.
 */
export class HostSampler {
  readonly #deps: { store: Store; clock: Clock; logger: Logger; events?: EventBus };
  #latest: HostSample[] = [];
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  readonly #reported = new Set<string>();

  constructor(deps: { store: Store; clock: Clock; logger: Logger; events?: EventBus }) {
    this.#deps = deps;
  }

  get latest(): readonly HostSample[] {
    return this.#latest;
  }

  configure(config: HostMetricsConfig): void {
    this.stop();
    if (!config.enabled) {
      this.#latest = [];
      return;
    }
    const collector = createHostCollector({
      filesystems: [...config.filesystems],
      interfaces: config.interfaces ? [...config.interfaces] : undefined,
    });
    const sample = () => {
      this.#running ??= this.#collect(collector).finally(() => {
        this.#running = null;
      });
    };
    sample();
    this.#timer = setInterval(sample, config.interval);
    this.#timer.unref();
  }

  async #collect(collector: ReturnType<typeof createHostCollector>): Promise<void> {
    try {
      const { samples, problems } = await collector.collect();
      for (const problem of problems) {
        if (this.#reported.has(problem)) continue;
        this.#reported.add(problem);
        this.#deps.logger.warn({ problem }, 'host metric unavailable');
      }
      this.#latest = samples;
      const ts = this.#deps.clock.now().getTime();
      this.#deps.store.metrics.write(
        samples.map((s) => ({ name: s.name, labels: s.labels, value: s.value, ts })),
      );
    } catch (err) {
      this.#deps.logger.error({ err }, 'collecting host metrics failed');
    }
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Waits for a collection in progress (shutdown, tests). */
  async settled(): Promise<void> {
    await this.#running;
  }
}

export const STORE_SIZE_METRIC = 'steward_store_size_bytes';

/** The database file plus its write-ahead log: what the store takes on disk. Null in memory. */
export function storeSizeBytes(file: string): number | null {
  if (file === ':memory:') return null;
  let total = 0;
  for (const f of [file, `${file}-wal`]) {
    try {
      total += fs.statSync(f).size;
    } catch {
      // no -wal right after a checkpoint
    }
  }
  return total;
}
