import type { CommandContext } from '../core/context.js';
import { StewardError } from '../core/errors.js';
import type { Deployment, DeploymentLogLine, ServiceDeployment } from '../store/index.js';
import { requireServices } from './plan.js';

export interface DeploymentView extends Deployment {
  serviceDeployments: ServiceDeployment[];
}

export interface DeploymentDetailView extends DeploymentView {
  log: DeploymentLogLine[];
}

const FINAL = new Set(['succeeded', 'noop', 'blocked', 'failed', 'rolled_back']);
export const isFinal = (d: Deployment) => FINAL.has(d.state);

/** Queues a deployment; the daemon takes it (at once when it is told, else within a second). */
export function requestDeploy(
  ctx: CommandContext,
  opts: { services?: string[]; trigger?: 'manual' | 'webhook' | 'poll'; commit?: string | null } = {},
): Deployment {
  const services = opts.services?.length ? requireServices(ctx, opts.services) : [];
  const d = ctx.store.deployments.enqueue({
    trigger: opts.trigger ?? 'manual',
    actor: ctx.actor,
    services,
    commit: opts.commit ?? null,
  });
  ctx.store.audit.append({
    actor: ctx.actor,
    action: 'deploy.requested',
    target: `deployment:${d.id}`,
    details: { trigger: d.trigger, services, commit: d.commit },
  });
  return d;
}

/** Queues a return of one service to an earlier deployment (default: the one before the Live one). */
export function requestRollback(ctx: CommandContext, service: string, to?: string): Deployment {
  requireServices(ctx, [service]);
  if (to) ctx.store.deployments.get(to);
  const d = ctx.store.deployments.enqueue({
    trigger: 'rollback',
    actor: ctx.actor,
    services: [service],
    rollbackTo: to ?? null,
  });
  ctx.store.audit.append({
    actor: ctx.actor,
    action: 'deploy.rollback_requested',
    target: `service:${service}`,
    details: { deployment: d.id, to: to ?? null },
  });
  return d;
}

export function deploymentHistory(
  ctx: CommandContext,
  opts: { service?: string; limit?: number } = {},
): DeploymentView[] {
  return ctx.store.deployments
    .list(opts)
    .map((d) => ({ ...d, serviceDeployments: ctx.store.deployments.servicesOf(d.id) }));
}

export function showDeployment(ctx: CommandContext, id: string): DeploymentDetailView {
  const d = resolveDeploymentId(ctx, id);
  return {
    ...d,
    serviceDeployments: ctx.store.deployments.servicesOf(d.id),
    log: ctx.store.deployments.logOf(d.id),
  };
}

/** A full id, or a unique prefix of one (ids are long; people copy the first characters). */
function resolveDeploymentId(ctx: CommandContext, id: string): Deployment {
  const exact = ctx.store.deployments.find(id);
  if (exact) return exact;
  const matches = ctx.store.deployments
    .list({ limit: 10_000 })
    .filter((d) => d.id.startsWith(id.toUpperCase()));
  if (matches.length === 1 && matches[0]) return matches[0];
  throw new StewardError(
    'E_NOT_FOUND',
    matches.length ? `${id} matches ${matches.length} deployments` : `no deployment ${id}`,
    {
      hint: 'steward deploy history lists them',
    },
  );
}
