import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { EventBus } from '../../core/events.js';
import { createLogger } from '../../core/logger.js';
import { openStore } from '../../store/index.js';
import type { CheckDefinition } from './definition.js';
import { CheckEngine } from './engine.js';
import type { CheckStateChanged } from './events.js';

const logger = createLogger({ level: 'silent' });

function setup() {
  const clock = new ManualClock('2026-03-01T00:00:00Z');
  const store = openStore({ file: ':memory:', clock });
  const events = new EventBus();
  const published: CheckStateChanged[] = [];
  events.subscribe('check.state_changed', (e) => {
    // Stored before it is published: a subscriber reading history sees the change.
    expect(store.checks.history(e.check)[0]).toMatchObject({ from: e.from, to: e.to });
    published.push(e);
  });
  const engine = () => new CheckEngine({ store, events, clock, logger });
  return { clock, store, engine, published };
}

const web: CheckDefinition = {
  name: 'web',
  type: 'http',
  service: 'core',
  labels: { tier: 'front' },
  intervalMs: 10_000,
  timeoutMs: 2000,
  thresholds: { failure: 2, success: 1 },
  probe: async () => ({ status: 'up', message: 'ok' }),
};
const beat: CheckDefinition = {
  ...web,
  name: 'beat',
  type: 'heartbeat',
  thresholds: { failure: 1, success: 1 }, // as definitions.ts gives every heartbeat
  heartbeat: { token: 'tok-0123456789abcdef', graceMs: 60_000 },
};

describe('check engine', () => {
  it('stores each state change with its reason before publishing it, and batches the rest', () => {
    const { store, engine, published, clock } = setup();
    const e = engine();
    e.setChecks([web]);
    e.record('web', { status: 'up', message: 'HTTP 200', latencyMs: 12 });
    clock.advance(10_000);
    e.record('web', { status: 'down', message: 'HTTP 503' });
    expect(published).toHaveLength(1);
    clock.advance(10_000);
    e.record('web', { status: 'down', message: 'HTTP 503' });
    expect(published.map((p) => `${p.from}>${p.to}:${p.reason}`)).toEqual([
      'unknown>up:HTTP 200',
      'up>down:HTTP 503',
    ]);
    expect(published[1]).toMatchObject({ service: 'core', labels: { tier: 'front' } });
    e.flush();
    expect(store.checks.get('web')).toMatchObject({
      state: 'down',
      streaks: { down: 2 },
      lastMessage: 'HTTP 503',
    });
    expect(store.metrics.counts().samples).toBe(1);
  });

  it('carries on mid-streak after a restart: no duplicate change', () => {
    const { engine, published, clock } = setup();
    const first = engine();
    first.setChecks([web]);
    first.record('web', { status: 'up', message: 'ok' });
    clock.advance(10_000);
    first.record('web', { status: 'down', message: 'refused' });
    first.flush();
    clock.advance(5000);
    const second = engine();
    second.setChecks([web]);
    second.markGaps();
    expect(second.get('web')?.state).toBe('up');
    clock.advance(5000);
    second.record('web', { status: 'down', message: 'refused' });
    expect(published.map((p) => p.to)).toEqual(['up', 'down']);
  });

  it('records a long absence as unknown from the last probe, never as up', () => {
    const { engine, store, clock } = setup();
    const first = engine();
    first.setChecks([web]);
    first.record('web', { status: 'up', message: 'ok' });
    first.flush();
    clock.advance(3_600_000);
    const second = engine();
    second.setChecks([web]);
    second.markGaps();
    const gap = store.checks.history('web')[0];
    expect(gap).toMatchObject({ from: 'up', to: 'unknown', at: '2026-03-01T00:00:10.000Z' });
    expect(gap?.reason).toContain('Steward was not running');
  });

  it('judges heartbeat pings by token: success up, fail down at once, unknown token null', () => {
    const { engine } = setup();
    const e = engine();
    e.setChecks([beat]);
    expect(e.checkForToken('tok-0123456789abcdef')).toBe('beat');
    expect(e.ping('tok-0123456789abcdef', 'success')).toEqual({ check: 'beat', state: 'up' });
    expect(e.ping('tok-0123456789abcdef', 'fail')).toEqual({ check: 'beat', state: 'down' });
    expect(e.ping('nope', 'success')).toBeNull();
    e.setChecks([web]);
    expect(e.ping('tok-0123456789abcdef', 'success')).toBeNull();
  });
});
