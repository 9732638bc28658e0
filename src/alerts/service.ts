import '../deploy/events.js';
import '../mqtt/events.js';
import { Cron } from 'croner';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ResolvedConfig } from '../config/resolve.js';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { EventBus } from '../core/events.js';
import { newId } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import type { CheckRecord, Store } from '../store/index.js';
import '../backup/events.js';
import '../monitor/checks/events.js';
import '../monitor/events.js';
import { channelDriverFor } from './channels/index.js';
import { Conditions } from './conditions.js';
import type { AlertsConfig } from './config-schema.js';
import { DELIVERY_TIMEOUT_MS, DeliveryWorker } from './delivery.js';
import { AlertEngine } from './engine.js';
import { RuleEvaluator } from './evaluator.js';
import { Notifier } from './notifier.js';
import { alertPayload, renderNotification, testNotification } from './render.js';
import { activeRules, channelFailingRule } from './rules/active.js';

/** External changes (acks and silences from the CLI) are picked up at least this often. */
const RECONCILE_MS = 5000;
const ALERTMANAGER_REFRESH_MS = 60_000;
/** Consecutive failed attempts after which a channel raises its own alert. */
const CHANNEL_FAILURES_TO_ALERT = 3;

export interface AlertingDeps {
  config: () => ResolvedConfig;
  store: Store;
  events: EventBus;
  clock: Clock;
  logger: Logger;
  registry?: Registry;
  /** The checks' current states (with their configured labels), evaluated once at start. */
  checks?: () => readonly (CheckRecord & { labels: Readonly<Record<string, string>> })[];
  baseUrl: string | null;
}

export interface Alerting {
  readonly engine: AlertEngine;
  readonly notifier: Notifier;
  readonly worker: DeliveryWorker;
  readonly evaluator: RuleEvaluator;
  reload(): void;
  stop(): Promise<void>;
}

/** The alerting capability as the daemon runs it: evaluation on arrival, lifecycle, notifications. */
export function startAlerting(deps: AlertingDeps): Alerting {
  const logger = deps.logger.child({ component: 'alerts' });
  const alertsConfig = () => deps.config().alerts as AlertsConfig;
  const notifications = deps.registry
    ? new Counter({
        name: 'steward_notifications_total',
        help: 'Notification delivery attempts by channel and outcome (sent, failed, gave_up).',
        labelNames: ['channel', 'outcome'],
        registers: [deps.registry],
      })
    : null;
  const failures = new Map<string, number>();
  const worker = new DeliveryWorker({
    store: deps.store,
    clock: deps.clock,
    logger,
    channels: () => alertsConfig().channels,
    onOutcome(o) {
      notifications?.inc({ channel: o.channel, outcome: o.ok ? 'sent' : o.gaveUp ? 'gave_up' : 'failed' });
      const count = o.ok ? 0 : (failures.get(o.channel) ?? 0) + 1;
      failures.set(o.channel, count);
      if (o.ok || count >= CHANNEL_FAILURES_TO_ALERT || o.gaveUp) {
        conditions.update({
          rule: channelFailingRule,
          labels: {
            alertname: channelFailingRule.name,
            severity: channelFailingRule.severity,
            channel: o.channel,
          },
          active: !o.ok,
          value: count,
          message: o.ok
            ? 'delivering again'
            : `${count} failed attempts in a row; last: ${o.error ?? 'unknown error'}`,
        });
      }
    },
  });
  const notifier = new Notifier({
    store: deps.store,
    clock: deps.clock,
    logger,
    config: alertsConfig,
    worker,
    source: deps.config().name ?? 'steward',
    baseUrl: deps.baseUrl,
  });
  const engine = new AlertEngine({ store: deps.store, clock: deps.clock, logger, notifier });
  const conditions = new Conditions(engine, () => deps.clock.now().getTime());
  const evaluator = new RuleEvaluator(conditions);

  const applyRules = () => {
    const config = deps.config();
    const critical = Object.entries(config.services)
      .filter(([, s]) => s.critical)
      .map(([name]) => name);
    evaluator.setRules(activeRules(alertsConfig()), critical);
  };
  applyRules();
  for (const alert of engine.load()) {
    const rule = evaluator.rules.find((r) => r.name === alert.rule);
    if (rule && alert.state !== 'resolved') conditions.seedFiring(rule, alert.labels);
  }

  const subscriptions = [
    deps.events.subscribe('check.state_changed', (e) =>
      evaluator.onCheckState({
        check: e.check,
        type: e.type,
        service: e.service,
        state: e.to,
        reason: e.reason,
      }),
    ),
    deps.events.subscribe('metrics.ingested', (e) => evaluator.onSamples(e.samples)),
    deps.events.subscribe('job.finished', (e) => {
      if (e.outcome === 'aborted') return;
      evaluator.onEvent(e.outcome === 'ok' ? 'job.succeeded' : 'job.failed', e.job, e.error ?? 'ok');
    }),
    deps.events.subscribe('backup.failed', (e) => evaluator.onEvent('backup.failed', e.job, e.error)),
    deps.events.subscribe('backup.degraded', (e) =>
      evaluator.onEvent('backup.degraded', e.job, e.problems.join('; ')),
    ),
    deps.events.subscribe('backup.completed', (e) =>
      evaluator.onEvent('backup.completed', e.job, 'completed'),
    ),
    deps.events.subscribe('backup.verify_failed', (e) =>
      evaluator.onEvent('backup.verify_failed', e.job, e.error),
    ),
    deps.events.subscribe('backup.verified', (e) => evaluator.onEvent('backup.verified', e.job, 'verified')),
    deps.events.subscribe('drill.failed', (e) => evaluator.onEvent('drill.failed', e.job, e.error)),
    deps.events.subscribe('drill.rto_exceeded', (e) =>
      evaluator.onEvent(
        'drill.rto_exceeded',
        e.job,
        `took ${Math.round(e.rtoMs / 1000)} s, limit ${Math.round(e.limitMs / 1000)} s`,
      ),
    ),
    deps.events.subscribe('drill.passed', (e) => evaluator.onEvent('drill.passed', e.job, 'passed')),
    deps.events.subscribe('deploy.rolled_back', (e) =>
      evaluator.onEvent('deploy.rolled_back', e.service, e.reason),
    ),
    deps.events.subscribe('deploy.failed', (e) => evaluator.onEvent('deploy.failed', e.service, e.reason)),
    deps.events.subscribe('deploy.succeeded', (e) =>
      evaluator.onEvent('deploy.succeeded', e.service, 'live'),
    ),
  ];
  // Checks already in a state when we start are evaluated now, so a firing alert whose check
  // recovered while Steward was down resolves, and a down check that has no alert gets one.
  for (const check of deps.checks?.() ?? []) {
    evaluator.onCheckState({
      check: check.name,
      type: check.type,
      service: check.service,
      state: check.state,
      reason: check.lastMessage ?? '',
      labels: check.labels,
    });
  }

  let closeTimer: NodeJS.Timeout | null = null;
  const closeQuiet = () => {
    const next = engine.closeQuiet(alertsConfig().close_after);
    if (closeTimer) clearTimeout(closeTimer);
    closeTimer = setTimeout(
      closeQuiet,
      next === null ? 3_600_000 : Math.max(1000, next - deps.clock.now().getTime()),
    );
    closeTimer.unref();
  };
  closeQuiet();

  // Regular alert testing (seed 003): a marked test goes through the normal queue, so a
  // channel that cannot take it retries, fails, and raises channel-failing elsewhere.
  let testCron: Cron | null = null;
  const armTest = () => {
    testCron?.stop();
    testCron = null;
    const test = alertsConfig().test;
    if (!test) return;
    testCron = new Cron(test.schedule, { paused: false, protect: true }, () => {
      const channels = test.channels ?? Object.keys(alertsConfig().channels);
      const notification = testNotification(
        deps.config().name ?? 'steward',
        'scheduled alert test',
        deps.clock.now(),
      );
      worker.enqueue(notification, channels);
      logger.info({ channels }, 'scheduled test notification queued');
    });
  };
  armTest();
  worker.start();
  notifier.reconcile();
  const reconcile = setInterval(() => notifier.reconcile(), RECONCILE_MS);
  reconcile.unref();
  // Alertmanager takes an alert without endsAt as resolved after its resolve_timeout (5m by
  // default) unless it is sent again, as Prometheus does every minute: refresh what it was told.
  const refresh = setInterval(() => {
    const targets = Object.entries(alertsConfig().channels).filter(([, c]) => c.type === 'alertmanager');
    if (!targets.length) return;
    const open = deps.store.alerts.list({ states: ['triggered', 'acknowledged'], limit: 10_000 });
    for (const [name, channel] of targets) {
      const told = open.filter((a) => a.notifiedChannels.includes(name));
      if (!told.length) continue;
      const n = renderNotification(
        'repeat',
        told.map((a) => alertPayload(a, deps.baseUrl)),
        {
          id: newId(),
          groupKey: `refresh:${name}`,
          source: deps.config().name ?? 'steward',
        },
      );
      channelDriverFor(channel)
        .send(channel, n, { signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS), logger })
        .catch((err: unknown) =>
          logger.warn({ channel: name, error: errorMessage(err) }, 'alertmanager refresh failed'),
        );
    }
  }, ALERTMANAGER_REFRESH_MS);
  refresh.unref();

  if (deps.registry) {
    new Gauge({
      name: 'steward_alerts_firing',
      help: 'Alerts triggered or acknowledged (not yet resolved), by severity.',
      labelNames: ['severity'],
      registers: [deps.registry],
      collect() {
        this.reset();
        for (const severity of ['critical', 'warning', 'info']) this.set({ severity }, 0);
        for (const a of deps.store.alerts.list({ states: ['triggered', 'acknowledged'], limit: 10_000 })) {
          this.inc({ severity: a.severity });
        }
      },
    });
  }

  return {
    engine,
    notifier,
    worker,
    evaluator,
    reload() {
      applyRules();
      armTest();
      notifier.reconcile();
    },
    async stop() {
      for (const off of subscriptions) off();
      testCron?.stop();
      clearInterval(reconcile);
      clearInterval(refresh);
      if (closeTimer) clearTimeout(closeTimer);
      conditions.stop();
      notifier.stop();
      await worker.stop();
    },
  };
}
