import type { ResolvedConfig } from '../../config/resolve.js';
import type { Clock } from '../../core/clock.js';
import type { Store } from '../../store/index.js';
import { evaluateFreshness } from './backup-freshness/evaluate.js';
import { BUILTIN_CHECK_PREFIX } from './config-schema.js';
import type { CheckDefinition } from './definition.js';
import { evaluateHeartbeat } from './heartbeat/evaluate.js';
import { probeMqttSelftest } from './mqtt-selftest/definition.js';
import { type CheckConfig, probeDriverFor } from './registry.js';

const FRESHNESS_INTERVAL_MS = 5 * 60_000;
const HOUR_MS = 3_600_000;
const DEFAULT_TIMEOUT_MS = 10_000;

/** Every check the daemon runs: the configured ones and one backup-freshness check per scheduled job. */
export function checkDefinitions(config: ResolvedConfig, store: Store, clock: Clock): CheckDefinition[] {
  const defs: CheckDefinition[] = [];
  for (const [name, check] of Object.entries(config.checks)) {
    defs.push(configuredCheck(name, check as CheckConfig, config, store, clock));
  }
  for (const [job, spec] of Object.entries(config.backups.jobs)) {
    const schedule = spec.schedule;
    if (!schedule) continue;
    const name = `${BUILTIN_CHECK_PREFIX}${job}`;
    defs.push({
      name,
      type: 'backup',
      passive: true,
      service: null,
      labels: { job },
      intervalMs: FRESHNESS_INTERVAL_MS,
      timeoutMs: 10_000,
      thresholds: { failure: 1, success: 1 },
      probe: async () =>
        evaluateFreshness({
          schedule,
          timezone: spec.timezone,
          slackMs: Math.max(spec.timeout ?? 0, HOUR_MS),
          lastSuccess: store.backupRuns.lastSuccess(job),
          since: store.checks.get(name)?.createdAt ?? clock.now().toISOString(),
          now: clock.now().getTime(),
        }),
    });
  }
  return defs;
}

function configuredCheck(
  name: string,
  check: CheckConfig,
  config: ResolvedConfig,
  store: Store,
  clock: Clock,
): CheckDefinition {
  const common = {
    name,
    type: check.type,
    service: check.service ?? null,
    labels: { ...check.labels },
    intervalMs: check.interval,
  };
  if (check.type === 'heartbeat') {
    const graceMs = check.grace;
    return {
      ...common,
      timeoutMs: Math.min(check.interval, 10_000),
      passive: true,
      // Lateness is already a threshold; a /fail must turn the check down at once.
      thresholds: { failure: 1, success: 1 },
      heartbeat: { token: check.token ?? null, graceMs },
      probe: async () => {
        const record = store.checks.get(name);
        return record ? evaluateHeartbeat(record, graceMs, clock.now().getTime()) : null;
      },
    };
  }
  const timing = {
    timeoutMs: check.timeout ?? Math.min(DEFAULT_TIMEOUT_MS, check.interval),
    thresholds: { failure: check.failure_threshold, success: check.success_threshold },
  };
  if (check.type === 'mqtt-selftest') {
    return { ...common, ...timing, probe: (ctx) => probeMqttSelftest(config, store, ctx) };
  }
  const driver = probeDriverFor(check);
  return {
    ...common,
    ...timing,
    probe: (ctx) => driver.probe(check, ctx),
  };
}
