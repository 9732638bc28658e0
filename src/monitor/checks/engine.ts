import type { Clock } from '../../core/clock.js';
import type { EventBus } from '../../core/events.js';
import type { Logger } from '../../core/logger.js';
import type { CheckRecord, CheckUpdate, MetricSample, PingKind, Store } from '../../store/index.js';
import type { CheckDefinition } from './definition.js';
import './events.js';
import '../events.js';
import { evaluateHeartbeat } from './heartbeat/evaluate.js';
import { type CheckState, nextState, nextStreaks } from './state.js';
import type { ProbeResult } from './types.js';

export const CHECK_LATENCY_METRIC = 'steward_check_latency_seconds';
/** Probe outcomes that did not change a state are written together at most this often. */
const FLUSH_EVERY_MS = 1000;

export interface CheckEngineDeps {
  store: Store;
  events: EventBus;
  clock: Clock;
  logger: Logger;
  /** Told of every result after it is applied (the Prometheus exporter). */
  onResult?(def: CheckDefinition, result: ProbeResult, record: CheckRecord, changed: boolean): void;
}

/**
 * Applies probe results to check state: thresholds, the stored state and streaks, state
 * change history and the `check.state_changed` event. A state change is written before it is
 * published; the other outcomes and latency samples are batched into one transaction a second.
 */
export class CheckEngine {
  readonly #deps: CheckEngineDeps;
  #defs = new Map<string, CheckDefinition>();
  readonly #records = new Map<string, CheckRecord>();
  readonly #tokens = new Map<string, string>();
  #pending = new Map<string, CheckUpdate>();
  #latency: MetricSample[] = [];
  #timer: NodeJS.Timeout | null = null;

  constructor(deps: CheckEngineDeps) {
    this.#deps = deps;
  }

  /** Syncs the store with the configured checks and loads their state. */
  setChecks(defs: readonly CheckDefinition[]): void {
    this.flush();
    const { store } = this.#deps;
    store.checks.sync(
      defs.map((d) => ({
        name: d.name,
        type: d.type,
        service: d.service,
        heartbeat: d.heartbeat !== undefined,
        heartbeatToken: d.heartbeat?.token ?? null,
      })),
    );
    this.#defs = new Map(defs.map((d) => [d.name, d]));
    this.#records.clear();
    this.#tokens.clear();
    for (const record of store.checks.list()) {
      this.#records.set(record.name, record);
      if (record.heartbeatToken && this.#defs.get(record.name)?.heartbeat)
        this.#tokens.set(record.heartbeatToken, record.name);
    }
  }

  /**
   * After the daemon was away longer than a check's interval allows, the stored state says
   * nothing about the gap: record it as unknown from the last probe, so history shows no
   * stretch marked up that nobody checked. A restart within the interval changes nothing.
   */
  markGaps(): void {
    const now = this.#deps.clock.now().getTime();
    for (const def of this.#defs.values()) {
      const record = this.#records.get(def.name);
      if (!record?.lastCheckedAt || record.state === 'unknown' || def.heartbeat) continue;
      const last = Date.parse(record.lastCheckedAt);
      const allowed = 2 * def.intervalMs + def.timeoutMs;
      if (now - last <= allowed) continue;
      const reason = `not checked from ${record.lastCheckedAt} until ${new Date(now).toISOString()} (Steward was not running)`;
      this.#write(
        def,
        record,
        { status: record.lastStatus ?? 'down', message: record.lastMessage ?? '' },
        {
          at: new Date(last + def.intervalMs).toISOString(),
          streaks: { up: 0, down: 0, bad: 0, notDown: 0 },
          to: 'unknown',
          reason,
        },
      );
    }
  }

  list(): CheckRecord[] {
    return [...this.#records.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): CheckRecord | undefined {
    return this.#records.get(name);
  }

  definition(name: string): CheckDefinition | undefined {
    return this.#defs.get(name);
  }

  /** Applies one probe result; returns the state after it. */
  record(name: string, result: ProbeResult): CheckState | undefined {
    const def = this.#defs.get(name);
    const record = this.#records.get(name);
    if (!def || !record) return undefined; // removed by a reload while it ran
    const at = this.#deps.clock.now().toISOString();
    const streaks = nextStreaks(record.streaks, result.status);
    const to = nextState(record.state, streaks, result.status, def.thresholds);
    if (result.latencyMs !== undefined) {
      this.#latency.push({
        name: CHECK_LATENCY_METRIC,
        labels: { check: name },
        value: result.latencyMs / 1000,
        ts: Date.parse(at),
      });
    }
    const changed = to !== record.state;
    this.#write(def, record, result, { at, streaks, to, reason: result.message });
    this.#deps.onResult?.(def, result, this.#records.get(name) as CheckRecord, changed);
    return to;
  }

  #write(
    def: CheckDefinition,
    record: CheckRecord,
    result: Pick<ProbeResult, 'status' | 'message' | 'latencyMs'>,
    next: { at: string; streaks: CheckRecord['streaks']; to: CheckState; reason: string },
  ): void {
    const from = record.state;
    const update: CheckUpdate = {
      name: def.name,
      streaks: next.streaks,
      status: result.status,
      message: result.message,
      latencyMs: result.latencyMs ?? null,
      at: next.at,
    };
    const updated: CheckRecord = {
      ...record,
      streaks: next.streaks,
      lastStatus: result.status,
      lastMessage: result.message,
      lastLatencyMs: result.latencyMs ?? null,
      lastCheckedAt: next.at,
    };
    if (next.to === from) {
      this.#pending.set(def.name, update);
      this.#records.set(def.name, updated);
      this.#armFlush();
      return;
    }
    // A change is stored (with whatever was pending for the check) before anyone hears of it.
    this.#pending.delete(def.name);
    this.#deps.store.checks.apply([{ ...update, change: { from, to: next.to, reason: next.reason } }]);
    this.#records.set(def.name, { ...updated, state: next.to, stateSince: next.at });
    this.#deps.logger[next.to === 'up' ? 'info' : 'warn'](
      { check: def.name, from, to: next.to, reason: next.reason },
      'check state changed',
    );
    this.#deps.events.publish('check.state_changed', {
      check: def.name,
      type: def.type,
      service: def.service,
      labels: def.labels,
      from,
      to: next.to,
      reason: next.reason,
      at: next.at,
    });
  }

  /** The heartbeat check a ping token belongs to, from memory (a flood of pings costs no query). */
  checkForToken(token: string): string | undefined {
    return this.#tokens.get(token);
  }

  /**
   * A heartbeat ping by token. Null for a token that is not a heartbeat check's (the route
   * answers those exactly like any unknown URL).
   */
  ping(token: string, kind: PingKind): { check: string; state: CheckState } | null {
    const name = this.#tokens.get(token);
    const def = name ? this.#defs.get(name) : undefined;
    const record = name ? this.#records.get(name) : undefined;
    if (!name || !def?.heartbeat || !record) return null;
    const at = this.#deps.clock.now();
    this.#deps.store.checks.recordPing(name, kind, at.toISOString());
    const facts = kind === 'start' ? { lastStartAt: at.toISOString() } : { lastPingAt: at.toISOString() };
    const next: CheckRecord = { ...record, ...facts, lastPingKind: kind };
    this.#records.set(name, next);
    const result = evaluateHeartbeat(next, def.heartbeat.graceMs, at.getTime());
    const state = result ? this.record(name, result) : record.state;
    return { check: name, state: state ?? record.state };
  }

  #armFlush(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      try {
        this.flush();
      } catch (err) {
        this.#deps.logger.error({ err }, 'writing check results failed');
      }
    }, FLUSH_EVERY_MS);
    this.#timer.unref();
  }

  /** Writes pending outcomes and latency samples now (also on stop). */
  flush(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    const updates = [...this.#pending.values()];
    const latency = this.#latency;
    this.#pending = new Map();
    this.#latency = [];
    this.#deps.store.checks.apply(updates);
    if (latency.length) {
      this.#deps.store.metrics.write(latency);
      this.#deps.events.publish('metrics.ingested', { samples: latency });
    }
  }
}
