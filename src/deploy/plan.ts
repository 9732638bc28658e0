import fs from 'node:fs';
import path from 'node:path';
import type { CommandContext } from '../core/context.js';
import { StewardError } from '../core/errors.js';
import { diffLines } from './plain.js';
import { type DesiredService, deployableServices, renderService, type Stack } from './render.js';
import { prepareStack } from './stack.js';

export interface PlanEntry {
  service: string;
  kind: 'compose' | 'native';
  /** deploy: the definition differs from the Live one (or nothing is Live); unchanged: left alone. */
  action: 'deploy' | 'unchanged';
  configHash: string;
  live: { deploymentId: string; configHash: string; since: string | null } | null;
  /** Per key: `+ added`, `- removed`, `~ changed` (values as written; secrets stay ${REFERENCES}). */
  diff: string[];
}

export interface DeployPlan {
  commit: string | null;
  stackDir: string;
  entries: PlanEntry[];
}

export interface PlannedService extends PlanEntry {
  desired: DesiredService;
}

export function definitionFile(snapshotDir: string): string {
  return path.join(snapshotDir, 'steward-definition.json');
}

function liveDefinition(snapshotDir: string | null): unknown {
  if (!snapshotDir) return {};
  try {
    return JSON.parse(fs.readFileSync(definitionFile(snapshotDir), 'utf8'));
  } catch {
    return {};
  }
}

export function requireServices(ctx: CommandContext, names: readonly string[] | undefined): string[] {
  const deployable = deployableServices(ctx.config);
  if (!names?.length) return deployable;
  for (const name of names) {
    if (!deployable.includes(name)) {
      throw new StewardError('E_NOT_FOUND', `no compose or native service named ${name}`, {
        hint: deployable.length ? `deployable services: ${deployable.join(', ')}` : 'add one under services:',
      });
    }
  }
  return [...names];
}

/** Desired state against the Live state per service: what `apply` would change. */
export function planServices(
  ctx: CommandContext,
  stack: Stack,
  names: readonly string[],
  opts: { force?: boolean } = {},
): PlannedService[] {
  return names.map((name) => {
    const desired = renderService(ctx.config, stack, name);
    const live = ctx.store.deployments.live(name);
    const changed = !live || live.configHash !== desired.configHash;
    const diff = changed ? diffLines(liveDefinition(live?.snapshotDir ?? null), desired.definition) : [];
    if (changed && live && diff.length === 0)
      diff.push('~ resolved values changed (an ${VARIABLE} or env file)');
    return {
      service: name,
      kind: desired.kind,
      action: changed || opts.force ? 'deploy' : 'unchanged',
      configHash: desired.configHash,
      live: live
        ? { deploymentId: live.deploymentId, configHash: live.configHash, since: live.finishedAt }
        : null,
      diff,
      desired,
    };
  });
}

export async function planDeploy(
  ctx: CommandContext,
  opts: { services?: string[]; commit?: string | null } = {},
): Promise<DeployPlan> {
  const names = requireServices(ctx, opts.services);
  const stack = await prepareStack(ctx.config, { commit: opts.commit ?? null });
  const entries = planServices(ctx, stack, names).map(({ desired: _desired, ...entry }) => entry);
  return { commit: stack.commit, stackDir: stack.dir, entries };
}
