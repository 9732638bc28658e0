import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exposureStatus } from './status.js';
import { createHarness, type Harness, waitFor } from './test-support.js';

let h: Harness;
beforeEach(() => {
  h = createHarness();
});
afterEach(async () => {
  await h.close();
});

const up = 'echo up >> marks';
const down = 'echo down >> marks';

describe('exposure gate', () => {
  it('runs on_healthy once when the service turns healthy and stays so for the debounce', async () => {
    h.services.web = { exposure: { on_healthy: up, on_unhealthy: down, debounce: 100 } };
    const gate = h.start();
    h.setCheck('web', 'http', 'up');
    h.setCheck('web', 'tcp', 'up');
    await waitFor(() => h.runs.lastRun('web')?.outcome === 'ok', 'on_healthy');

    const run = h.runs.lastRun('web');
    expect(run).toMatchObject({ transition: 'healthy', command: up, trigger: 'health', exitCode: 0 });
    expect(h.audits).toEqual([
      {
        action: 'exposure.applied',
        target: 'service:web',
        details: expect.objectContaining({ outcome: 'ok' }),
      },
    ]);
    // More events and an explicit evaluation with the same health run nothing more.
    h.setCheck('web', 'tcp', 'up');
    gate.evaluate();
    expect(gate.status()[0]).toMatchObject({
      health: 'healthy',
      applied: 'healthy',
      pending: null,
      wouldRun: null,
    });
    await sleep(300);
    expect(h.lines()).toEqual(['up']);
    expect(h.runs.list()).toHaveLength(1);
  });

  it('a flap shorter than the debounce runs nothing', async () => {
    h.services.web = { exposure: { on_healthy: up, on_unhealthy: down, debounce: 200 } };
    h.setCheck('web', 'http', 'up');
    const gate = h.start();
    await waitFor(() => h.runs.lastApplied('web') === 'healthy', 'startup exposure');

    // Down and back up in the same tick: certainly shorter than any debounce.
    h.setCheck('web', 'http', 'down');
    expect(gate.status()[0]?.pending).toMatchObject({ transition: 'unhealthy' });
    h.setCheck('web', 'http', 'up');
    expect(gate.status()[0]).toMatchObject({ pending: null, wouldRun: null });
    await sleep(500);
    expect(h.lines()).toEqual(['up']);
    expect(h.runs.list()).toHaveLength(1);
  });

  it('runs on_unhealthy when any deciding check goes down (or degraded)', async () => {
    h.services.web = { exposure: { on_healthy: up, on_unhealthy: down, debounce: 50 } };
    h.setCheck('web', 'http', 'up');
    h.setCheck('web', 'tcp', 'up');
    h.start();
    await waitFor(() => h.runs.lastApplied('web') === 'healthy', 'exposed');
    h.setCheck('web', 'tcp', 'degraded');
    await waitFor(() => h.runs.lastApplied('web') === 'unhealthy', 'withdrawn');
    expect(h.lines()).toEqual(['up', 'down']);
    expect(h.runs.lastRun('web')).toMatchObject({
      transition: 'unhealthy',
      command: down,
      trigger: 'health',
    });
  });

  it("'unknown' health runs nothing: no checks, all unknown, or some still unknown", async () => {
    h.services.none = { exposure: { on_healthy: up, debounce: 10 } };
    h.services.fresh = { exposure: { on_healthy: up, debounce: 10 } };
    h.services.half = { exposure: { on_healthy: up, debounce: 10 } };
    h.setCheck('fresh', 'http', 'unknown');
    h.setCheck('half', 'http', 'up');
    h.setCheck('half', 'tcp', 'unknown');
    const gate = h.start();
    await sleep(200);
    for (const s of gate.status()) {
      expect(s).toMatchObject({ health: 'unknown', pending: null, wouldRun: null, lastRun: null });
    }
    expect(h.runs.list()).toEqual([]);
    expect(h.lines()).toEqual([]);
  });

  it('a transition without a command records nothing and runs nothing', async () => {
    h.services.web = { exposure: { on_healthy: up, debounce: 20 } };
    h.setCheck('web', 'http', 'up');
    const gate = h.start();
    await waitFor(() => h.runs.lastApplied('web') === 'healthy', 'exposed');
    h.setCheck('web', 'http', 'down');
    expect(gate.status()[0]).toMatchObject({ health: 'unhealthy', pending: null, wouldRun: null });
    await sleep(200);
    expect(h.runs.list()).toHaveLength(1);
    // Back to healthy: already applied, so nothing runs again.
    h.setCheck('web', 'http', 'up');
    await sleep(200);
    expect(h.lines()).toEqual(['up']);
  });

  it('status() shows the command the health calls for, live and as a dry run', async () => {
    h.services.web = { exposure: { on_healthy: up, on_unhealthy: down, debounce: 60_000 } };
    h.services.plain = {};
    h.setCheck('web', 'http', 'up');
    expect(exposureStatus(h.deps)).toEqual([
      { service: 'web', health: 'healthy', applied: null, pending: null, wouldRun: up, lastRun: null },
    ]);
    const gate = h.start();
    const [s] = gate.status();
    expect(s).toMatchObject({ service: 'web', health: 'healthy', applied: null, wouldRun: up });
    expect(s?.pending?.transition).toBe('healthy');
    expect(Number.isNaN(Date.parse(s?.pending?.at ?? ''))).toBe(false);
    h.setCheck('web', 'http', 'down');
    expect(gate.status()[0]).toMatchObject({ health: 'unhealthy', wouldRun: down });
    expect(h.runs.list()).toEqual([]);
  });
});
