import { Counter, Gauge, type Registry, Summary } from 'prom-client';
import type { CheckRecord } from '../store/index.js';
import type { CheckDefinition } from './checks/definition.js';
import { checkStates } from './checks/state.js';
import { HOST_METRICS, type HostSample } from './host/index.js';
import { STORE_SIZE_METRIC, storeSizeBytes } from './host-sampler.js';

export interface MonitorMetrics {
  checkResult(def: CheckDefinition, record: CheckRecord, changed: boolean): void;
  scheduleLag(ms: number): void;
  skipped(def: CheckDefinition): void;
}

const HOST_LABELS = ['mountpoint', 'device', 'zone'];

/**
 * The monitoring metrics on the daemon's registry: check state, latency and changes, the
 * scheduler's lag, and the latest host sample. Gauges are read from the live state at scrape
 * time, so a removed check disappears instead of leaving its last value behind.
 */
export function registerMonitorMetrics(
  registry: Registry,
  source: {
    checks(): { def: CheckDefinition; record: CheckRecord }[];
    host(): readonly HostSample[];
    inFlight(): number;
    storeFile: string;
  },
  initialChanges: Map<string, number>,
): MonitorMetrics {
  new Gauge({
    name: 'steward_check_up',
    help: 'Whether the check is up (1: up or degraded, 0: down); absent while unknown.',
    labelNames: ['check', 'service'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { def, record } of source.checks()) {
        if (record.state === 'unknown') continue;
        this.set({ check: def.name, service: def.service ?? '' }, record.state === 'down' ? 0 : 1);
      }
    },
  });
  new Gauge({
    name: 'steward_check_state',
    help: 'The check state, one series per state with value 1 for the current one.',
    labelNames: ['check', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { def, record } of source.checks()) {
        for (const state of checkStates) this.set({ check: def.name, state }, record.state === state ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'steward_check_latency_seconds',
    help: 'Duration of the latest probe of the check.',
    labelNames: ['check'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { def, record } of source.checks()) {
        if (record.lastLatencyMs !== null) this.set({ check: def.name }, record.lastLatencyMs / 1000);
      }
    },
  });
  const changes = new Counter({
    name: 'steward_check_state_changes_total',
    help: 'State changes of the check, as stored in its history.',
    labelNames: ['check'],
    registers: [registry],
  });
  for (const [check, n] of initialChanges) changes.inc({ check }, n);
  const lag = new Summary({
    name: 'steward_check_schedule_lag_seconds',
    help: 'How late probes start against their planned time (last 10 minutes).',
    percentiles: [0.5, 0.9, 0.99],
    maxAgeSeconds: 600,
    ageBuckets: 5,
    registers: [registry],
  });
  const skipped = new Counter({
    name: 'steward_check_skipped_total',
    help: 'Planned probes not started because the previous probe of the check was still running.',
    labelNames: ['check'],
    registers: [registry],
  });
  new Gauge({
    name: 'steward_checks_in_flight',
    help: 'Probes running right now.',
    registers: [registry],
    collect() {
      this.set(source.inFlight());
    },
  });
  new Gauge({
    name: STORE_SIZE_METRIC,
    help: 'Size of the SQLite store on disk (database file plus write-ahead log).',
    registers: [registry],
    collect() {
      const size = storeSizeBytes(source.storeFile);
      if (size !== null) this.set(size);
    },
  });
  registerHostMetrics(registry, source.host);
  return {
    checkResult(def, _record, changed) {
      if (changed) changes.inc({ check: def.name });
    },
    scheduleLag: (ms) => lag.observe(Math.max(0, ms) / 1000),
    skipped: (def) => skipped.inc({ check: def.name }),
  };
}

function registerHostMetrics(registry: Registry, latest: () => readonly HostSample[]): void {
  const byName = (name: string) => latest().filter((s) => s.name === name);
  for (const def of Object.values(HOST_METRICS)) {
    const common = { name: def.name, help: def.help, labelNames: HOST_LABELS, registers: [registry] };
    if (def.kind === 'counter') {
      // The kernel keeps the running total; the exporter hands it on as a counter's value.
      new Counter({
        ...common,
        collect() {
          this.reset();
          for (const s of byName(def.name)) this.inc(s.labels, s.value);
        },
      });
    } else {
      new Gauge({
        ...common,
        collect() {
          this.reset();
          for (const s of byName(def.name)) this.set(s.labels, s.value);
        },
      });
    }
  }
}
