import type { CommandContext } from '../core/context.js';
import { errorMessage } from '../core/errors.js';
import type { EventBus } from '../core/events.js';
import type { ServiceDeployment } from '../store/index.js';
import './events.js';
import { driverFor } from './drivers/index.js';
import type { NativeRuntime } from './drivers/native/runtime.js';
import type { DeployUnit, DriverContext } from './drivers/types.js';
import { gateChecks, healthGate } from './health-gate.js';

export interface DeployDeps {
  events: EventBus;
  runtime: NativeRuntime;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

export type Outcome = 'live' | 'rolled_back' | 'failed';

/** A unit as drivers see it, from a stored row. */
export function unitOf(ctx: CommandContext, row: ServiceDeployment): DeployUnit {
  const spec = ctx.config.services[row.service];
  if (!spec) throw new Error(`service ${row.service} is not configured`);
  return {
    service: row.service,
    spec,
    id: row.id,
    deploymentId: row.deploymentId,
    configHash: row.configHash,
    snapshotDir: row.snapshotDir ?? '',
    detail: row.detail,
  };
}

export function driverContext(
  ctx: CommandContext,
  deps: DeployDeps,
  deploymentId: string,
  service: string | null,
): DriverContext {
  return {
    config: ctx.config,
    logger: ctx.logger.child({ deployment: deploymentId, ...(service ? { service } : {}) }),
    env: deps.env ?? process.env,
    runtime: deps.runtime,
    log: (message, level = 'info') => ctx.store.deployments.log(deploymentId, level, message, service),
    ...(deps.signal ? { signal: deps.signal } : {}),
  };
}

/**
 * One service row from In Progress to its end: apply (unless the process is already there),
 * Testing until the health gate passes, promote, Live; or back to the previous Live state.
 */
export async function rollout(
  ctx: CommandContext,
  deps: DeployDeps,
  actor: string,
  row: ServiceDeployment,
  previousRow: ServiceDeployment | null,
  opts: { apply: boolean; validate: boolean },
): Promise<Outcome> {
  const store = ctx.store.deployments;
  const dctx = driverContext(ctx, deps, row.deploymentId, row.service);
  const unit = unitOf(ctx, row);
  const previous = previousRow ? unitOf(ctx, previousRow) : null;
  const driver = driverFor(row.kind);
  if (opts.apply) {
    try {
      if (opts.validate) {
        dctx.log(`validating the ${row.kind} definition`);
        await driver.validate(dctx, unit);
      }
      dctx.log('applying');
      const detail = await driver.apply(dctx, unit, previous);
      row =
        row.state === 'in_progress'
          ? store.transitionService(row.id, 'testing', { detail })
          : store.setDetail(row.id, detail);
      unit.detail = row.detail;
    } catch (err) {
      return giveUp(ctx, deps, dctx, row, unit, previous, `apply failed: ${errorMessage(err)}`);
    }
  } else if (row.state === 'in_progress') {
    row = store.transitionService(row.id, 'testing');
  }
  const gateConfig = ctx.config.deploy.gate;
  const checks =
    row.kind === 'native' && unit.spec.strategy === 'blue-green' ? [] : gateChecks(ctx, row.service);
  dctx.log(
    `testing: ${gateConfig.consecutive_passes} passes in a row needed within ${Math.round(gateConfig.health_timeout / 1000)} s${checks.length ? ` (checks: ${checks.join(', ')})` : ''}`,
  );
  const gate = await healthGate({
    ctx,
    dctx,
    driver,
    unit,
    checks,
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  if (!gate.passed) return giveUp(ctx, deps, dctx, row, unit, previous, gate.reason);
  try {
    await driver.promote(dctx, unit, previous);
  } catch (err) {
    return giveUp(ctx, deps, dctx, row, unit, previous, `promote failed: ${errorMessage(err)}`);
  }
  store.transitionService(row.id, 'live', { reason: gate.reason });
  dctx.log(`live (${gate.reason})`);
  ctx.store.audit.append({
    actor,
    action: 'deploy.live',
    target: `service:${row.service}`,
    details: { deployment: row.deploymentId, configHash: row.configHash },
  });
  deps.events.publish('deploy.succeeded', { service: row.service, deploymentId: row.deploymentId });
  return 'live';
}

/** The gate failed: undo, and go back to the previous Live state when there is one and auto_rollback is on. */
export async function giveUp(
  ctx: CommandContext,
  deps: DeployDeps,
  dctx: DriverContext,
  row: ServiceDeployment,
  unit: DeployUnit,
  previous: DeployUnit | null,
  reason: string,
): Promise<Outcome> {
  const store = ctx.store.deployments;
  dctx.log(`gate failed: ${reason}`, 'error');
  const driver = driverFor(row.kind);
  let reapply = true;
  try {
    reapply = (await driver.abandon(dctx, unit, previous)).reapplyPrevious;
  } catch (err) {
    dctx.log(`could not stop the new version: ${errorMessage(err)}`, 'error');
  }
  const auto = ctx.config.deploy.gate.auto_rollback;
  if (!previous || !auto) {
    const why = previous ? 'auto_rollback is off' : 'there is no previous Live state to return to';
    store.transitionService(row.id, 'failed', { reason: `${reason} (${why})` });
    deps.events.publish('deploy.failed', { service: row.service, deploymentId: row.deploymentId, reason });
    ctx.store.audit.append({
      actor: 'system',
      action: 'deploy.failed',
      target: `service:${row.service}`,
      details: { deployment: row.deploymentId, reason },
    });
    return 'failed';
  }
  dctx.log(`rolling back to deployment ${previous.deploymentId}`, 'warn');
  let restored = 'the previous version kept running';
  if (reapply) {
    try {
      await driver.apply(dctx, previous, null);
      await driver.promote(dctx, previous, null);
      restored = 'the previous version was applied again';
    } catch (err) {
      restored = `re-applying the previous version failed: ${errorMessage(err)}`;
      dctx.log(restored, 'error');
    }
  }
  store.transitionService(row.id, 'rolled_back', { reason: `${reason}; ${restored}` });
  deps.events.publish('deploy.rolled_back', { service: row.service, deploymentId: row.deploymentId, reason });
  ctx.store.audit.append({
    actor: 'system',
    action: 'deploy.rolled_back',
    target: `service:${row.service}`,
    details: { deployment: row.deploymentId, reason, to: previous.deploymentId },
  });
  return 'rolled_back';
}
