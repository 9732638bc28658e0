import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/logger.js';
import type { CheckDefinition } from './definition.js';
import { CheckScheduler, spreadPhases } from './scheduler.js';
import type { ProbeContext, ProbeResult } from './types.js';

const logger = createLogger({ level: 'silent' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function def(
  name: string,
  probe: (ctx: ProbeContext) => Promise<ProbeResult | null>,
  intervalMs = 50,
  timeoutMs = 40,
): CheckDefinition {
  return {
    name,
    type: 'test',
    service: null,
    labels: {},
    intervalMs,
    timeoutMs,
    thresholds: { failure: 2, success: 1 },
    probe,
  };
}

let scheduler: CheckScheduler | undefined;
afterEach(async () => {
  await scheduler?.stop(100);
  scheduler = undefined;
});

function start(defs: CheckDefinition[], maxInFlight = 100) {
  const results: { name: string; result: ProbeResult }[] = [];
  const skipped: string[] = [];
  const lags: number[] = [];
  scheduler = new CheckScheduler({
    logger,
    maxInFlight,
    onResult: (d, result) => results.push({ name: d.name, result }),
    onSkipped: (d) => skipped.push(d.name),
    onLag: (ms) => lags.push(ms),
  });
  scheduler.setChecks(defs);
  scheduler.start();
  return { results, skipped, lags };
}

describe('check scheduler', () => {
  it('spreads checks of one interval evenly over it, in a stable order', () => {
    const defs = ['d', 'a', 'c', 'b'].map((n) => ({ name: n, intervalMs: 1000 }));
    const phases = spreadPhases(defs);
    expect([...'abcd'].map((n) => phases.get(n))).toEqual([0, 250, 500, 750]);
    expect(spreadPhases([...defs].reverse())).toEqual(phases);
  });

  it('marks a hanging target down at its timeout, never overlaps it, and does not delay other checks', async () => {
    let hangingStarts = 0;
    const hang = def(
      'hang',
      () => {
        hangingStarts++;
        return new Promise<never>(() => {}); // ignores its signal on purpose
      },
      50,
      30,
    );
    const fast = def('fast', async () => ({ status: 'up', message: 'ok' }), 20, 15);
    const { results, skipped } = start([hang, fast]);
    await sleep(400);
    const hangResults = results.filter((r) => r.name === 'hang');
    expect(hangResults).toHaveLength(1);
    expect(hangResults[0]?.result).toMatchObject({ status: 'down', message: 'timed out after 30 ms' });
    expect(hangingStarts).toBe(1);
    expect(skipped.filter((n) => n === 'hang').length).toBeGreaterThan(2);
    expect(results.filter((r) => r.name === 'fast').length).toBeGreaterThan(8);
  });

  it('gives the probe an abort signal at the timeout', async () => {
    let aborted = 0;
    const polite = def(
      'polite',
      (ctx) =>
        new Promise((resolve) => {
          ctx.signal.addEventListener('abort', () => {
            aborted++;
            resolve({ status: 'down', message: 'gave up' });
          });
        }),
      50,
      20,
    );
    const { results } = start([polite]);
    await sleep(250);
    expect(aborted).toBeGreaterThan(1);
    expect(results.every((r) => r.result.message === 'timed out after 20 ms')).toBe(true);
  });

  it('keeps at most maxInFlight probes running', async () => {
    let running = 0;
    let peak = 0;
    const slow = (name: string) =>
      def(
        name,
        async () => {
          running++;
          peak = Math.max(peak, running);
          await sleep(15);
          running--;
          return { status: 'up', message: 'ok' };
        },
        60,
        50,
      );
    const { results } = start(
      Array.from({ length: 30 }, (_, i) => slow(`c${i}`)),
      3,
    );
    await sleep(300);
    expect(peak).toBe(3);
    expect(results.length).toBeGreaterThan(10);
  });

  it('records a driver that throws as down, and carries on', async () => {
    let calls = 0;
    const broken = def('broken', async () => {
      calls++;
      throw new Error('bug');
    });
    const { results } = start([broken]);
    await sleep(200);
    expect(calls).toBeGreaterThan(1);
    expect(results[0]?.result).toMatchObject({ status: 'down', message: 'check failed: bug' });
  });

  it('adds its own timing as latency to active probes only', async () => {
    const active = def('active', async () => ({ status: 'up', message: 'ok' }), 40, 30);
    const passive = {
      ...def('passive', async () => ({ status: 'up', message: 'last ping 1s ago' }), 40, 30),
      passive: true,
    };
    const { results } = start([active, passive]);
    await sleep(150);
    expect(results.find((r) => r.name === 'active')?.result.latencyMs).toBeTypeOf('number');
    expect(results.find((r) => r.name === 'passive')?.result).toEqual({
      status: 'up',
      message: 'last ping 1s ago',
    });
  });

  it('runs a check on demand and returns its result', async () => {
    const once = def('once', async () => ({ status: 'degraded', message: 'slow' }), 60_000, 1000);
    start([once]);
    await expect(scheduler?.runNow('once')).resolves.toMatchObject({ status: 'degraded' });
    expect(scheduler?.runNow('missing')).toBeUndefined();
  });
});
