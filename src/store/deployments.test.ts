import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { openStore } from './db.js';

function setup() {
  const store = openStore({ file: ':memory:', clock: new ManualClock(new Date('2026-11-23T00:00:00Z')) });
  store.services.sync([{ name: 'api', kind: 'native', critical: false }]);
  return store;
}

describe('deployments store', () => {
  it('walks a service row through its lifecycle; going Live decommissions the previous Live row', () => {
    const store = setup();
    const d = store.deployments;
    const first = d.enqueue({ trigger: 'manual', actor: 'cli:me' });
    d.transition(first.id, 'running');
    const a = d.addService({ deploymentId: first.id, service: 'api', kind: 'native', configHash: 'h1' });
    d.transitionService(a.id, 'in_progress');
    expect(store.services.findByName('api')?.state).toBe('in_progress');
    d.transitionService(a.id, 'testing');
    d.transitionService(a.id, 'live');
    expect(d.live('api')?.id).toBe(a.id);
    expect(store.services.findByName('api')?.state).toBe('live');

    const second = d.enqueue({ trigger: 'poll', actor: 'system' });
    const b = d.addService({
      deploymentId: second.id,
      service: 'api',
      kind: 'native',
      configHash: 'h2',
      previousId: a.id,
    });
    d.transitionService(b.id, 'in_progress');
    d.transitionService(b.id, 'testing');
    d.transitionService(b.id, 'live');
    expect(d.getService(a.id).state).toBe('decommissioned');
    expect(d.live('api')?.configHash).toBe('h2');
    store.close();
  });

  it('refuses an illegal transition and a second active deployment of the same service', () => {
    const store = setup();
    const d = store.deployments;
    const one = d.enqueue({ trigger: 'manual', actor: 'x' });
    const two = d.enqueue({ trigger: 'manual', actor: 'x' });
    const a = d.addService({ deploymentId: one.id, service: 'api', kind: 'native', configHash: 'h1' });
    const b = d.addService({ deploymentId: two.id, service: 'api', kind: 'native', configHash: 'h2' });
    expect(() => d.transitionService(a.id, 'live')).toThrow(/cannot move from planned to live/);
    d.transitionService(a.id, 'in_progress');
    expect(() => d.transitionService(b.id, 'in_progress')).toThrow(/already being deployed/);
    expect(() => d.transition(one.id, 'succeeded')).toThrow(/cannot move from queued to succeeded/);
    store.close();
  });

  it('takes the oldest queued deployment first and records webhook deliveries once', () => {
    const store = setup();
    const d = store.deployments;
    const first = d.enqueue({ trigger: 'webhook', actor: 'w' });
    d.enqueue({ trigger: 'poll', actor: 'p' });
    expect(d.nextQueued()?.id).toBe(first.id);
    expect(store.webhookDeliveries.record('github', 'abc')).toBe(true);
    expect(store.webhookDeliveries.record('github', 'abc')).toBe(false);
    expect(store.webhookDeliveries.record('gitea', 'abc')).toBe(true);
    store.close();
  });
});
