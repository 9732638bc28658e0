import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, type Harness, heldCommand, release, waitFor } from './test-support.js';

let h: Harness;
beforeEach(() => {
  h = createHarness();
});
afterEach(async () => {
  await h.close();
});

/** Every start is followed by its own end before the next start. */
function expectSequential(lines: string[]): void {
  for (let i = 0; i < lines.length; i += 2) {
    const name = lines[i]?.replace(/^start-/, '');
    expect(lines[i], `line ${i}: ${lines.join(' ')}`).toMatch(/^start-/);
    expect(lines[i + 1], `line ${i + 1}: ${lines.join(' ')}`).toBe(`end-${name}`);
  }
}

describe('exposure gate ordering', () => {
  it('never overlaps commands: a change during a run is queued and runs after it', async () => {
    h.services.web = {
      exposure: { on_healthy: heldCommand('h'), on_unhealthy: heldCommand('u'), debounce: 50 },
    };
    const gate = h.start();
    h.setCheck('web', 'http', 'up');
    await waitFor(() => h.lines().includes('start-h'), 'on_healthy started');

    // Unhealthy for longer than the debounce while on_healthy still runs: queued, not started.
    h.setCheck('web', 'http', 'down');
    await waitFor(() => gate.status()[0]?.pending === null, 'debounce over');
    await sleep(100);
    expect(h.lines()).toEqual(['start-h']);
    release(h.dir, 'h');
    await waitFor(() => h.lines().includes('start-u'), 'on_unhealthy started');

    // And back, while on_unhealthy runs.
    h.setCheck('web', 'http', 'up');
    await waitFor(() => gate.status()[0]?.pending === null, 'debounce over');
    release(h.dir, 'u');
    await waitFor(() => h.lines().filter((l) => l === 'start-h').length === 2, 'on_healthy again');
    release(h.dir, 'h');
    await waitFor(() => h.runs.lastRun('web')?.outcome === 'ok' && h.lines().length === 6, 'all done');

    expect(h.lines()).toEqual(['start-h', 'end-h', 'start-u', 'end-u', 'start-h', 'end-h']);
    expectSequential(h.lines());
    expect(h.runs.list().map((r) => r.transition)).toEqual(['healthy', 'unhealthy', 'healthy']);
  });

  it('only the latest wanted transition runs: a queued change the health took back is dropped', async () => {
    h.services.web = {
      exposure: { on_healthy: heldCommand('h'), on_unhealthy: heldCommand('u'), debounce: 30 },
    };
    const gate = h.start();
    h.setCheck('web', 'http', 'up');
    await waitFor(() => h.lines().includes('start-h'), 'on_healthy started');
    h.setCheck('web', 'http', 'down');
    await waitFor(() => gate.status()[0]?.pending === null, 'unhealthy queued');
    h.setCheck('web', 'http', 'up');
    expect(gate.status()[0]).toMatchObject({ pending: null, wouldRun: null });
    release(h.dir, 'h');
    await waitFor(() => h.runs.lastRun('web')?.outcome === 'ok', 'on_healthy done');
    await sleep(200);
    expect(h.lines()).toEqual(['start-h', 'end-h']);
    expect(h.runs.list()).toHaveLength(1);
  });

  it('a restart reads the last applied transition and does not re-run it', async () => {
    h.services.web = {
      exposure: { on_healthy: 'echo up >> marks', on_unhealthy: 'echo down >> marks', debounce: 30 },
    };
    h.setCheck('web', 'http', 'up');
    const first = h.start();
    await waitFor(() => h.runs.lastApplied('web') === 'healthy', 'exposed');
    expect(h.runs.lastRun('web')?.trigger).toBe('startup');
    await first.stop();

    const second = h.start();
    expect(second.status()[0]).toMatchObject({
      health: 'healthy',
      applied: 'healthy',
      pending: null,
      wouldRun: null,
    });
    await sleep(200);
    expect(h.runs.list()).toHaveLength(1);
    await second.stop();

    // Health changed while stopped: the start runs the other command.
    h.setCheck('web', 'http', 'down');
    h.start();
    await waitFor(() => h.runs.lastApplied('web') === 'unhealthy', 'withdrawn at start');
    expect(h.runs.lastRun('web')?.trigger).toBe('startup');
    expect(h.lines()).toEqual(['up', 'down']);
  });

  it('a failing command is recorded with its exit code and retried once after the debounce', async () => {
    const failing = 'echo trying >> marks; echo "funnel: not logged in" >&2; exit 3';
    h.services.web = { exposure: { on_healthy: failing, debounce: 50 } };
    const gate = h.start();
    h.setCheck('web', 'http', 'up');
    await waitFor(() => h.runs.list().filter((r) => r.outcome === 'failed').length === 2, 'two failures');

    const [retry, firstRun] = h.runs.list();
    expect(firstRun).toMatchObject({
      outcome: 'failed',
      exitCode: 3,
      trigger: 'health',
      transition: 'healthy',
    });
    expect(firstRun?.output).toContain('funnel: not logged in');
    expect(firstRun?.error).toMatch(/exited with code 3/);
    expect(retry).toMatchObject({ outcome: 'failed', exitCode: 3, trigger: 'retry' });
    expect(h.audits.map((a) => a.action)).toEqual(['exposure.failed', 'exposure.failed']);
    // No hot loop: given up until the health changes or an explicit evaluation.
    expect(gate.status()[0]).toMatchObject({ applied: null, pending: null, wouldRun: failing });
    await sleep(250);
    expect(h.lines()).toEqual(['trying', 'trying']);

    // An explicit evaluation (new config) earns a fresh attempt, which now succeeds.
    h.services.web = { exposure: { on_healthy: 'echo fixed >> marks', debounce: 50 } };
    gate.evaluate();
    await waitFor(() => h.runs.lastApplied('web') === 'healthy', 'fixed');
    expect(h.runs.lastRun('web')?.trigger).toBe('evaluate');
  });

  it('closes runs a dead process left running, and stop() waits for a running command', async () => {
    h.runs.start({ service: 'web', transition: 'healthy', command: 'x', trigger: 'health' });
    h.services.web = { exposure: { on_healthy: heldCommand('h'), debounce: 10 } };
    h.setCheck('web', 'http', 'up');
    const gate = h.start();
    expect(h.runs.list()[0]).toMatchObject({ outcome: 'failed', error: expect.stringMatching(/stopped/) });
    await waitFor(() => h.lines().includes('start-h'), 'started');
    const stopped = gate.stop();
    release(h.dir, 'h');
    await stopped;
    expect(h.runs.lastRun('web')).toMatchObject({ outcome: 'ok', trigger: 'startup' });
    expect(h.lines()).toEqual(['start-h', 'end-h']);
  });
});
