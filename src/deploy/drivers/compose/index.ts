import fs from 'node:fs';
import path from 'node:path';
import {
  type ComposeTarget,
  composePull,
  composeUp,
  composeValidate,
  composeVerdict,
  detectComposeCli,
  observeContainers,
  stewardLabels,
} from '../../compose/index.js';
import type { DeployDriver, DeployUnit, DriverContext } from '../types.js';

interface ComposeDetail {
  /** --project-directory: relative bind mounts and build contexts resolve here. */
  projectDir?: string;
  project: string;
  files: string[];
  services: string[];
}

function detailOf(unit: DeployUnit): ComposeDetail {
  const d = unit.detail as Partial<ComposeDetail>;
  if (!d.project || !d.files?.length || !d.services?.length) {
    throw new Error(`deployment ${unit.deploymentId} of ${unit.service} has no compose project recorded`);
  }
  return {
    ...(d.projectDir ? { projectDir: d.projectDir } : {}),
    project: d.project,
    files: d.files,
    services: d.services,
  };
}

function targetOf(ctx: DriverContext, unit: DeployUnit): ComposeTarget {
  const d = detailOf(unit);
  const envFile = path.join(unit.snapshotDir, '.env');
  return {
    projectDir: d.projectDir ?? unit.snapshotDir,
    filesDir: unit.snapshotDir,
    ...(fs.existsSync(envFile) ? { envFile } : {}),
    files: d.files.map((f) => path.normalize(f)),
    project: d.project,
    services: d.services,
    labels: {
      [stewardLabels.deployment]: unit.deploymentId,
      [stewardLabels.configHash]: unit.configHash,
      [stewardLabels.service]: unit.service,
    },
    env: ctx.env,
  };
}

/**
 * Compose services: `docker compose` (v2) or `docker-compose` (v1) on the snapshot of the files,
 * `up -d --no-deps` of the changed services with Steward's labels, health from the engine.
 * Rollback is applying the previous snapshot again.
 */
export const composeDriver: DeployDriver = {
  kind: 'compose',
  async validate(ctx, unit) {
    const cli = await detectComposeCli(ctx.env);
    await composeValidate(cli, targetOf(ctx, unit), ctx.signal);
  },
  async apply(ctx, unit) {
    const cli = await detectComposeCli(ctx.env);
    const target = targetOf(ctx, unit);
    const pulled = await composePull(cli, target, ctx.signal);
    if (pulled.pulled.length) ctx.log(`pulled ${pulled.pulled.join(', ')}`);
    await composeUp(cli, target, ctx.signal ? { signal: ctx.signal } : {});
    ctx.log(
      `${cli.flavour === 'v2' ? 'docker compose' : 'docker-compose'} up -d --no-deps ${target.services.join(' ')}`,
    );
    return detailOf(unit) as unknown as Record<string, unknown>;
  },
  async observe(ctx, unit) {
    const d = detailOf(unit);
    const containers = await observeContainers(ctx.env.DOCKER_HOST, d.project, d.services);
    return composeVerdict(containers, { services: d.services, configHash: unit.configHash });
  },
  async promote() {},
  async abandon() {
    // The failed containers are replaced when the previous snapshot is applied again.
    return { reapplyPrevious: true };
  },
  async resume() {
    // The engine restarts containers by their restart policy; Steward holds nothing to resume.
  },
};
