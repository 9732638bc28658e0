import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/logger.js';
import type { CheckDriver, ProbeContext, ProbeResult } from './types.js';

/**
 * One contract every check driver runs, from its own `<type>.test.ts`:
 * - a healthy target → `up` with a message (and a latency when the driver measures one);
 * - a failing target → `down` with a message that says why, never a throw;
 * - a target that hangs → the probe returns `down` soon after the signal aborts, leaving
 *   nothing running (the scheduler's timeout depends on this);
 * - no result ever carries one of the fixture's secrets.
 * `fixture()` starts whatever real target the driver needs (once per file) and returns
 * parsed configs; `stop()` tears it down.
 */
export interface CheckFixture<C> {
  up: C;
  down: C;
  /** A config whose probe would never finish on its own (accepts and never answers…); required unless the contract is told `canHang: false`. */
  hang?: C;
  /** Strings that must not appear in any message or detail (passwords in URLs…). */
  secrets?: string[];
  stop?(): Promise<void>;
}

/** How long after the abort a hanging probe may take to return; generous for slow CI. */
const ABORT_SLACK_MS = 3000;

export function probeContext(timeoutMs = 5000, signal?: AbortSignal): ProbeContext {
  return {
    signal: signal ?? AbortSignal.timeout(timeoutMs),
    timeoutMs,
    logger: createLogger({ level: 'silent' }),
  };
}

export function runCheckDriverContract<C>(
  type: string,
  driver: CheckDriver<C>,
  setup: () => Promise<CheckFixture<C>>,
  /** false only for drivers that read local state and cannot block (disk). */
  opts: { canHang: boolean } = { canHang: true },
): void {
  describe(`check driver contract: ${type}`, () => {
    let fx: CheckFixture<C>;
    beforeAll(async () => {
      fx = await setup();
    }, 120_000);
    afterAll(async () => {
      await fx?.stop?.();
    });

    const noSecrets = (result: ProbeResult) => {
      const text = JSON.stringify(result);
      for (const secret of fx.secrets ?? []) expect(text).not.toContain(secret);
    };

    it('reports a healthy target as up', async () => {
      const result = await driver.probe(fx.up, probeContext());
      expect(result.status, result.message).toBe('up');
      expect(result.message.length).toBeGreaterThan(0);
      if (result.latencyMs !== undefined) expect(result.latencyMs).toBeGreaterThanOrEqual(0);
      noSecrets(result);
    });

    it('reports a failing target as down with a reason, without throwing', async () => {
      const result = await driver.probe(fx.down, probeContext());
      expect(result.status).toBe('down');
      expect(result.message.length).toBeGreaterThan(0);
      noSecrets(result);
    });

    if (!opts.canHang) return;
    it('gives up promptly when the signal aborts on a hanging target', async () => {
      if (!fx.hang) throw new Error(`${type}: the fixture must provide a hanging target`);
      const controller = new AbortController();
      const started = Date.now();
      setTimeout(() => controller.abort(new Error('timed out')), 200);
      const result = await driver.probe(fx.hang, probeContext(200, controller.signal));
      expect(result.status).toBe('down');
      expect(Date.now() - started).toBeLessThan(200 + ABORT_SLACK_MS);
      noSecrets(result);
    });
  });
}
