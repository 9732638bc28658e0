import fs from 'node:fs';
import type { CommandContext } from '../core/context.js';
import { errorMessage } from '../core/errors.js';
import type { Deployment, DeploymentState } from '../store/index.js';
import './events.js';
import { backupGate, policyGate } from './gates.js';
import { definitionFile, type PlannedService, planServices, requireServices } from './plan.js';
import type { Stack } from './render.js';
import { executeRollback } from './rollback.js';
import { type DeployDeps, type Outcome, rollout } from './rollout.js';
import { prepareSnapshot } from './snapshot.js';
import { prepareStack, syncWorkDir } from './stack.js';

/**
 * Runs one queued deployment to its end: desired state, plan, gates, then each changed
 * service through apply → Testing → the health gate → Live, or back to its previous Live
 * state. Records every step; never throws for a deployment that failed (the record says why).
 */
export async function executeDeployment(
  ctx: CommandContext,
  deps: DeployDeps,
  id: string,
): Promise<Deployment> {
  const store = ctx.store.deployments;
  const started = Date.now();
  let deployment = store.transition(id, 'running');
  const log = (message: string, level: 'info' | 'warn' | 'error' = 'info') => store.log(id, level, message);
  let final: DeploymentState = 'failed';
  let error: string | null = null;
  try {
    if (deployment.trigger === 'rollback') {
      final = await executeRollback(ctx, deps, deployment);
    } else {
      const result = await executeForward(ctx, deps, deployment, log);
      final = result.state;
      error = result.error ?? null;
    }
  } catch (err) {
    error = errorMessage(err);
    log(`deployment failed: ${error}`, 'error');
    final = 'failed';
  }
  deployment = store.transition(id, final, { error });
  ctx.store.audit.append({
    actor: deployment.actor,
    action: `deploy.${final}`,
    target: `deployment:${id}`,
    details: { trigger: deployment.trigger, commit: deployment.commit, error },
  });
  deps.events.publish('deploy.finished', {
    deploymentId: id,
    state: final,
    trigger: deployment.trigger,
    durationMs: Date.now() - started,
  });
  return deployment;
}

async function executeForward(
  ctx: CommandContext,
  deps: DeployDeps,
  deployment: Deployment,
  log: (message: string, level?: 'info' | 'warn' | 'error') => void,
): Promise<{ state: DeploymentState; error?: string }> {
  const store = ctx.store.deployments;
  const stack = await prepareStack(ctx.config, { commit: deployment.commit });
  if (stack.commit) log(`desired state: commit ${stack.commit}`);
  const names = requireServices(ctx, deployment.services.length ? deployment.services : undefined);
  const planned = planServices(ctx, stack, names);
  const changed = planned.filter((p) => p.action === 'deploy');
  store.update(deployment.id, {
    commit: stack.commit,
    plan: planned.map(({ desired: _d, ...entry }) => entry),
  });
  if (changed.length === 0) {
    log('nothing changed: every service matches its Live definition');
    return { state: 'noop' };
  }
  log(`changed: ${changed.map((p) => p.service).join(', ')}`);

  const policy = policyGate(ctx, stack, changed);
  const gates: Record<string, unknown> = { policy };
  store.update(deployment.id, { gates });
  if (!policy.passed) {
    for (const f of policy.blocking)
      log(
        `policy: ${f.file}:${f.line}:${f.column} ${f.severity} ${f.rule} (${f.service ?? 'file'}): ${f.message}`,
        'error',
      );
    log(
      `blocked by the compose policy: ${policy.blocking.length} finding(s) at or above ${policy.threshold}`,
      'error',
    );
    return {
      state: 'blocked',
      error: `${policy.blocking.length} policy finding(s) at or above ${policy.threshold}`,
    };
  }
  const backups = await backupGate(ctx, (m) => log(m));
  gates.backups = backups;
  store.update(deployment.id, { gates });
  if (!backups.passed) {
    return { state: 'blocked', error: 'a gate backup did not complete' };
  }

  let worst: Outcome = 'live';
  for (const [i, p] of changed.entries()) {
    const outcome = await deployService(ctx, deps, deployment, stack, p);
    if (outcome !== 'live') {
      worst = outcome;
      const skipped = changed.slice(i + 1).map((s) => s.service);
      if (skipped.length)
        log(`not deploying ${skipped.join(', ')} after ${p.service} did not go live`, 'warn');
      break;
    }
  }
  return { state: worst === 'live' ? 'succeeded' : worst };
}

async function deployService(
  ctx: CommandContext,
  deps: DeployDeps,
  deployment: Deployment,
  stack: Stack,
  p: PlannedService,
): Promise<Outcome> {
  const store = ctx.store.deployments;
  const previousRow = store.live(p.service);
  let row = store.addService({
    deploymentId: deployment.id,
    service: p.service,
    kind: p.kind,
    configHash: p.configHash,
    previousId: previousRow?.id ?? null,
    ...(p.desired.native ? { version: p.desired.native.version } : {}),
    detail: p.desired.compose
      ? { ...p.desired.compose, projectDir: composeProjectDir(ctx, stack, p.desired.compose.project) }
      : { version: p.desired.native?.version, source: p.desired.native?.source },
  });
  row = store.transitionService(row.id, 'in_progress');
  const snapshotDir = await prepareSnapshot(ctx.config, row, stack.dir, p.desired);
  fs.writeFileSync(definitionFile(snapshotDir), `${JSON.stringify(p.desired.definition, null, 2)}\n`, {
    mode: 0o600,
  });
  row = store.setSnapshot(row.id, snapshotDir);
  return rollout(ctx, deps, deployment.actor, row, previousRow, { apply: true, validate: true });
}

/** Where relative paths in the compose files point: the directory of steward.yaml, or a stable work copy of the git tree. */
function composeProjectDir(ctx: CommandContext, stack: Stack, project: string): string {
  return stack.commit ? syncWorkDir(ctx.config, project, stack.dir) : stack.dir;
}
