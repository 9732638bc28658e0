import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { createLogger } from '../core/logger.js';
import { openStore } from '../store/index.js';
import { type AlertsConfig, alertsSchema } from './config-schema.js';
import { DeliveryWorker } from './delivery.js';
import { AlertEngine } from './engine.js';
import { Notifier } from './notifier.js';
import { compileRule } from './rules/compile.js';

const logger = createLogger({ level: 'silent' });

function setup() {
  const clock = new ManualClock('2026-05-01T00:00:00Z');
  const store = openStore({ file: ':memory:', clock });
  const config = alertsSchema({ baseDir: '/tmp' }).parse({}) as AlertsConfig;
  const worker = new DeliveryWorker({ store, clock, logger, channels: () => config.channels });
  worker.kick = () => {};
  const notifier = new Notifier({
    store,
    clock,
    logger,
    config: () => config,
    worker,
    source: 't',
    baseUrl: null,
  });
  const engine = new AlertEngine({ store, clock, logger, notifier });
  return { clock, store, engine, notifier };
}

const rule = compileRule('web-down', { check: 'web', state: 'down', severity: 'critical', extra_labels: {} });
const labels = { alertname: 'web-down', severity: 'critical', check: 'web' };
const fp = 'web-down{"check":"web"}';

describe('alert lifecycle', () => {
  it('reopens a resolved alert that fires again, and closes it after a quiet period', () => {
    const { engine, store, clock, notifier } = setup();
    engine.fire(fp, { rule, labels, value: null, message: 'refused' });
    const [first] = store.alerts.list();
    clock.advance(60_000);
    engine.resolve(fp, { message: 'up again' });
    clock.advance(60_000);
    engine.fire(fp, { rule, labels, value: null, message: 'refused again' });
    const reopened = store.alerts.list();
    expect(reopened).toHaveLength(1);
    expect(reopened[0]).toMatchObject({ id: first?.id, state: 'triggered' });
    engine.resolve(fp, { message: 'up' });
    expect(engine.closeQuiet(24 * 3_600_000)).toBe(clock.now().getTime() + 24 * 3_600_000);
    clock.advance(24 * 3_600_000);
    engine.closeQuiet(24 * 3_600_000);
    const alert = store.alerts.get(first?.id ?? '');
    expect(alert?.state).toBe('closed');
    expect(store.alerts.events(alert?.id ?? '').map((e) => e.to)).toEqual([
      'triggered',
      'resolved',
      'triggered',
      'resolved',
      'closed',
    ]);
    // A closed alert stays closed: the next firing is a new alert.
    engine.fire(fp, { rule, labels, value: null, message: 'down once more' });
    expect(store.alerts.list({ states: ['triggered'] }).map((a) => a.id)).not.toContain(first?.id);
    expect(store.audit.list({}).filter((e) => e.action.startsWith('alert.')).length).toBe(6);
    notifier.stop();
  });

  it('stores a transition and its audit entry together or not at all', () => {
    const { engine, store, notifier } = setup();
    const append = store.audit.append.bind(store.audit);
    store.audit.append = () => {
      throw new Error('disk full');
    };
    expect(() => engine.fire(fp, { rule, labels, value: null, message: 'refused' })).toThrow('disk full');
    expect(store.alerts.list()).toEqual([]);
    store.audit.append = append;
    engine.fire(fp, { rule, labels, value: null, message: 'refused' });
    expect(store.alerts.list()).toHaveLength(1);
    expect(store.audit.list({ action: 'alert.triggered' })).toHaveLength(1);
    notifier.stop();
  });

  it('refuses to close a firing alert and to acknowledge one twice', () => {
    const { engine, store, notifier } = setup();
    engine.fire(fp, { rule, labels, value: null, message: 'refused' });
    const [alert] = store.alerts.list();
    expect(() => engine.close(alert?.id ?? '', 'cli:ops', null)).toThrow(/still firing/);
    engine.acknowledge(alert?.id.slice(0, 20) ?? '', 'cli:ops', 'mine');
    expect(() => engine.acknowledge(alert?.id ?? '', 'cli:ops', null)).toThrow(/only a triggered alert/);
    notifier.stop();
  });
});
