import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { createLogger } from '../core/logger.js';
import { openStore, type Store } from '../store/index.js';
import type { Notification } from './channels/types.js';
import { type AlertsConfig, alertsSchema } from './config-schema.js';
import { DeliveryWorker } from './delivery.js';
import { AlertEngine } from './engine.js';
import { Notifier } from './notifier.js';
import { compileRule } from './rules/compile.js';

const logger = createLogger({ level: 'silent' });
const tick = () => new Promise((r) => setTimeout(r, 5));
const hook = { type: 'webhook', url: 'http://127.0.0.1:9/x' };

function setup(alerts: unknown) {
  const clock = new ManualClock('2026-05-01T00:00:00Z');
  const store = openStore({ file: ':memory:', clock });
  const config = alertsSchema({ baseDir: '/tmp' }).parse(alerts) as AlertsConfig;
  // The queue is inspected, never sent: this test is about what is decided, not delivered.
  const worker = new DeliveryWorker({ store, clock, logger, channels: () => config.channels });
  worker.kick = () => {};
  const notifier = new Notifier({
    store,
    clock,
    logger,
    config: () => config,
    worker,
    source: 'test',
    baseUrl: null,
  });
  const engine = new AlertEngine({ store, clock, logger, notifier });
  return { clock, store, notifier, engine };
}

const rule = (name: string, severity: 'critical' | 'warning' = 'critical') =>
  compileRule(name, { check: '*', state: 'down', severity, extra_labels: {} });

function fire(
  engine: AlertEngine,
  name: string,
  labels: Record<string, string> = {},
  severity: 'critical' | 'warning' = 'critical',
) {
  const all = { alertname: name, severity, ...labels };
  engine.fire(`${name}${JSON.stringify(all)}`, {
    rule: rule(name, severity),
    labels: all,
    value: null,
    message: 'down',
  });
}

function queued(store: Store): { kind: string; channel: string; rules: string[] }[] {
  return store.deliveries.pending().map((d) => ({
    kind: d.kind,
    channel: d.channel,
    rules: (d.payload as Notification).alerts.map((a) => `${a.rule}:${a.labels.host ?? ''}`),
  }));
}

let stop: (() => void) | undefined;
afterEach(() => stop?.());

describe('notifier', () => {
  it('batches alerts of one group that fire within group_wait into one notification', async () => {
    const { engine, store, notifier } = setup({
      channels: { a: hook },
      routes: [{ match: {}, notify: ['a'], group_by: ['alertname'], group_wait: '50ms' }],
    });
    stop = () => notifier.stop();
    fire(engine, 'disk', { host: 'x' });
    fire(engine, 'disk', { host: 'y' });
    fire(engine, 'cpu', { host: 'x' });
    await new Promise((r) => setTimeout(r, 120));
    expect(queued(store)).toEqual([
      { kind: 'firing', channel: 'a', rules: ['disk:x', 'disk:y'] },
      { kind: 'firing', channel: 'a', rules: ['cpu:x'] },
    ]);
  });

  it('repeats an unacknowledged alert, escalates after the delay, and an ack stops both', async () => {
    const { engine, store, notifier, clock } = setup({
      channels: { a: hook, boss: hook },
      routes: [{ match: {}, notify: ['a'], repeat: '10m', escalate: [{ after: '15m', notify: ['boss'] }] }],
    });
    stop = () => notifier.stop();
    fire(engine, 'down');
    await tick();
    clock.advance(10 * 60_000);
    notifier.reconcile();
    clock.advance(5 * 60_000);
    notifier.reconcile();
    expect(queued(store).map((q) => `${q.kind}>${q.channel}`)).toEqual([
      'firing>a',
      'repeat>a',
      'escalation>boss',
    ]);
    const [alert] = store.alerts.list();
    engine.acknowledge(alert?.id ?? '', 'cli:ops', 'looking');
    clock.advance(60 * 60_000);
    notifier.reconcile();
    const after = queued(store).map((q) => `${q.kind}>${q.channel}`);
    expect(after.slice(3).sort()).toEqual(['acknowledged>a', 'acknowledged>boss']);
  });

  it('records a silenced alert without sending it, and sends it when the silence ends', async () => {
    const { engine, store, notifier, clock } = setup({ channels: { a: hook } });
    stop = () => notifier.stop();
    store.silences.create({
      matchers: [{ name: 'alertname', op: '=', value: 'noisy' }],
      startsAt: clock.now().toISOString(),
      endsAt: new Date(clock.now().getTime() + 3_600_000).toISOString(),
      comment: 'maintenance',
      createdBy: 'cli:ops',
    });
    fire(engine, 'noisy');
    await tick();
    expect(store.alerts.list()).toHaveLength(1);
    expect(queued(store)).toEqual([]);
    clock.advance(3_600_000);
    notifier.reconcile();
    await tick();
    expect(queued(store).map((q) => q.kind)).toEqual(['firing']);
  });

  it('does not send a warning inhibited by a critical alert on the same host', async () => {
    const { engine, store, notifier } = setup({
      channels: { a: hook },
      inhibit: [{ source: { severity: 'critical' }, target: { severity: 'warning' }, equal: ['host'] }],
    });
    stop = () => notifier.stop();
    fire(engine, 'host-down', { host: 'x' }, 'critical');
    fire(engine, 'disk-slow', { host: 'x' }, 'warning');
    fire(engine, 'disk-slow', { host: 'y' }, 'warning');
    await tick();
    expect(
      queued(store)
        .flatMap((q) => q.rules)
        .sort(),
    ).toEqual(['disk-slow:y', 'host-down:x']);
  });
});
