import type { Registry } from 'prom-client';
import type { ResolvedConfig } from '../config/resolve.js';
import type { Clock } from '../core/clock.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { Store } from '../store/index.js';
import type { HostMetricsConfig } from './checks/config-schema.js';
import { checkDefinitions } from './checks/definitions.js';
import { CheckEngine } from './checks/engine.js';
import { CheckScheduler } from './checks/scheduler.js';
import { registerMonitorMetrics } from './exporter.js';
import { HostSampler } from './host-sampler.js';

/** Probes at once; enough for thousands of checks whose probes take milliseconds, while a few hanging targets cannot starve the rest. */
export const MAX_CHECKS_IN_FLIGHT = 256;

export interface MonitoringDeps {
  config: ResolvedConfig;
  store: Store;
  events: EventBus;
  clock: Clock;
  logger: Logger;
  registry: Registry;
}

export interface Monitoring {
  readonly engine: CheckEngine;
  readonly scheduler: CheckScheduler;
  readonly host: HostSampler;
  reload(config: ResolvedConfig): void;
  stop(): Promise<void>;
}

/** The monitoring capability as the daemon runs it: checks on their schedule, host sampling, the exporter. */
export function startMonitoring(deps: MonitoringDeps): Monitoring {
  const logger = deps.logger.child({ component: 'checks' });
  let metrics: ReturnType<typeof registerMonitorMetrics> | undefined;
  const engine = new CheckEngine({
    store: deps.store,
    events: deps.events,
    clock: deps.clock,
    logger,
    onResult: (def, _result, record, changed) => metrics?.checkResult(def, record, changed),
  });
  const scheduler = new CheckScheduler({
    logger,
    maxInFlight: MAX_CHECKS_IN_FLIGHT,
    onResult: (def, result) => engine.record(def.name, result),
    onLag: (ms) => metrics?.scheduleLag(ms),
    onSkipped: (def) => {
      metrics?.skipped(def);
      logger.warn({ check: def.name }, 'probe skipped: the previous one is still running');
    },
  });
  const host = new HostSampler({
    store: deps.store,
    clock: deps.clock,
    logger: deps.logger.child({ component: 'host' }),
  });

  const apply = (config: ResolvedConfig) => {
    const defs = checkDefinitions(config, deps.store, deps.clock);
    engine.setChecks(defs);
    scheduler.setChecks(defs);
    host.configure(config.host_metrics as HostMetricsConfig);
  };
  apply(deps.config);
  engine.markGaps();
  metrics = registerMonitorMetrics(
    deps.registry,
    {
      checks: () =>
        engine.list().flatMap((record) => {
          const def = engine.definition(record.name);
          return def ? [{ def, record }] : [];
        }),
      host: () => host.latest,
      inFlight: () => scheduler.inFlight,
      storeFile: deps.store.file,
    },
    deps.store.checks.changeCounts(),
  );
  scheduler.start();

  return {
    engine,
    scheduler,
    host,
    reload: apply,
    async stop() {
      host.stop();
      await scheduler.stop();
      await host.settled();
      engine.flush();
    },
  };
}
