import { setTimeout as sleep } from 'node:timers/promises';
import type { CommandContext } from '../core/context.js';
import { errorMessage } from '../core/errors.js';
import { probeOnce } from '../monitor/checks/commands.js';
import { checkDefinitions } from '../monitor/checks/definitions.js';
import type { DeployDriver, DeployUnit, DriverContext } from './drivers/types.js';

export interface HealthGateResult {
  passed: boolean;
  reason: string;
  passes: number;
  probes: number;
}

/** The checks that gate a service: those it lists and those whose service: is it. */
export function gateChecks(ctx: CommandContext, service: string): string[] {
  const listed = new Set(ctx.config.services[service]?.checks ?? []);
  for (const def of checkDefinitions(ctx.config, ctx.store, ctx.clock)) {
    if (def.service === service && !def.passive) listed.add(def.name);
  }
  return [...listed].sort();
}

/**
 * Testing → Live needs `consecutive_passes` healthy rounds in a row within `health_timeout`:
 * a round is the driver's own view (container health, process up) and then every gating
 * check up. The driver seeing a crash loop or an unhealthy container ends the gate at once.
 */
export async function healthGate(opts: {
  ctx: CommandContext;
  dctx: DriverContext;
  driver: DeployDriver;
  unit: DeployUnit;
  checks: readonly string[];
  signal?: AbortSignal;
}): Promise<HealthGateResult> {
  const { ctx, dctx, driver, unit, checks } = opts;
  const gate = ctx.config.deploy.gate;
  const deadline = Date.now() + gate.health_timeout;
  let passes = 0;
  let probes = 0;
  let last = 'no probe yet';
  while (true) {
    opts.signal?.throwIfAborted();
    probes++;
    const round = await oneRound(ctx, dctx, driver, unit, checks);
    if (round.failed) return { passed: false, reason: round.reason, passes, probes };
    if (round.ok) {
      passes++;
      if (passes >= gate.consecutive_passes) {
        return { passed: true, reason: `${passes} passes in a row`, passes, probes };
      }
    } else {
      passes = 0;
    }
    last = round.reason;
    if (Date.now() + gate.check_interval > deadline) {
      return {
        passed: false,
        reason: `not healthy within ${Math.round(gate.health_timeout / 1000)} s: ${last}`,
        passes,
        probes,
      };
    }
    await sleep(gate.check_interval, undefined, opts.signal ? { signal: opts.signal } : {});
  }
}

async function oneRound(
  ctx: CommandContext,
  dctx: DriverContext,
  driver: DeployDriver,
  unit: DeployUnit,
  checks: readonly string[],
): Promise<{ ok: boolean; failed: boolean; reason: string }> {
  let verdict: Awaited<ReturnType<DeployDriver['observe']>>;
  try {
    verdict = await driver.observe(dctx, unit);
  } catch (err) {
    return { ok: false, failed: false, reason: `cannot observe: ${errorMessage(err)}` };
  }
  if (verdict.verdict === 'failed') return { ok: false, failed: true, reason: verdict.reason };
  if (verdict.verdict === 'pending') return { ok: false, failed: false, reason: verdict.reason };
  for (const name of checks) {
    try {
      const result = await probeOnce(ctx, name);
      if (result && result.status !== 'up') {
        return { ok: false, failed: false, reason: `check ${name} is ${result.status}: ${result.message}` };
      }
    } catch (err) {
      return { ok: false, failed: false, reason: `check ${name}: ${errorMessage(err)}` };
    }
  }
  return { ok: true, failed: false, reason: checks.length ? `${verdict.reason}; checks up` : verdict.reason };
}
