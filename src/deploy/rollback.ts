import fs from 'node:fs';
import type { CommandContext } from '../core/context.js';
import { errorMessage } from '../core/errors.js';
import type { Deployment, DeploymentState, ServiceDeployment } from '../store/index.js';
import { driverFor } from './drivers/index.js';
import { gateChecks, healthGate } from './health-gate.js';
import { type DeployDeps, driverContext, giveUp, unitOf } from './rollout.js';

/** `steward rollback <service> [--to id]`: a new deployment of an earlier definition, through the same gate. */
export async function executeRollback(
  ctx: CommandContext,
  deps: DeployDeps,
  deployment: Deployment,
): Promise<DeploymentState> {
  const store = ctx.store.deployments;
  const service = deployment.services[0];
  if (!service) throw new Error('a rollback names one service');
  const target = rollbackTarget(ctx, service, deployment.rollbackTo);
  const previousRow = store.live(service);
  let row = store.addService({
    deploymentId: deployment.id,
    service,
    kind: target.kind,
    configHash: target.configHash,
    version: target.version,
    snapshotDir: target.snapshotDir,
    // What the driver needs to apply it again; a blue/green colour is chosen afresh.
    detail: withoutPort(target.detail),
    previousId: previousRow?.id ?? null,
  });
  const dctx = driverContext(ctx, deps, deployment.id, service);
  dctx.log(`rolling back to deployment ${target.deploymentId}`);
  row = store.transitionService(row.id, 'in_progress');
  const unit = unitOf(ctx, row);
  const previous = previousRow ? unitOf(ctx, previousRow) : null;
  const driver = driverFor(target.kind);
  try {
    const detail = await driver.apply(dctx, unit, previous);
    row = store.transitionService(row.id, 'testing', { detail });
    unit.detail = row.detail;
  } catch (err) {
    await giveUp(ctx, deps, dctx, row, unit, previous, `apply failed: ${errorMessage(err)}`);
    return 'failed';
  }
  const checks =
    target.kind === 'native' && unit.spec.strategy === 'blue-green' ? [] : gateChecks(ctx, service);
  const gate = await healthGate({ ctx, dctx, driver, unit, checks });
  if (!gate.passed) {
    await giveUp(ctx, deps, dctx, row, unit, previous, gate.reason);
    return 'failed';
  }
  await driver.promote(dctx, unit, previous);
  store.transitionService(row.id, 'live', { reason: `rolled back to ${target.deploymentId}` });
  deps.events.publish('deploy.succeeded', { service, deploymentId: deployment.id });
  return 'succeeded';
}

function rollbackTarget(ctx: CommandContext, service: string, to: string | null): ServiceDeployment {
  const store = ctx.store.deployments;
  const candidates = to
    ? store.servicesOf(to).filter((r) => r.service === service)
    : store
        .list({ service, limit: 200 })
        .flatMap((d) => store.servicesOf(d.id))
        .filter((r) => r.service === service && r.state === 'decommissioned');
  const target = candidates.find((r) => r.snapshotDir && fs.existsSync(r.snapshotDir));
  if (!target) {
    throw new Error(
      to
        ? `deployment ${to} has no kept definition of ${service}`
        : `${service} has no earlier Live deployment to return to`,
    );
  }
  return target;
}

function withoutPort(detail: Record<string, unknown>): Record<string, unknown> {
  const { port: _port, ...rest } = detail;
  return rest;
}
