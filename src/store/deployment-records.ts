import { defineLifecycle } from '../core/lifecycle.js';

/** One deployment run: queued → running → one outcome. */
export const deploymentLifecycle = defineLifecycle({
  name: 'deployment',
  initial: 'queued',
  transitions: {
    queued: ['running', 'failed'],
    running: ['succeeded', 'noop', 'blocked', 'failed', 'rolled_back'],
    succeeded: [],
    noop: [],
    blocked: [],
    failed: [],
    rolled_back: [],
  },
});
export type DeploymentState = (typeof deploymentLifecycle.states)[number];

/** Seed 003's Service Instance lifecycle, one row per service per deployment. */
export const serviceDeploymentLifecycle = defineLifecycle({
  name: 'service deployment',
  initial: 'planned',
  transitions: {
    planned: ['in_progress', 'failed'],
    in_progress: ['testing', 'failed', 'rolled_back'],
    testing: ['live', 'failed', 'rolled_back'],
    live: ['decommissioned'],
    decommissioned: [],
    failed: [],
    rolled_back: [],
  },
});
export type ServiceDeploymentState = (typeof serviceDeploymentLifecycle.states)[number];

export type DeploymentTrigger = 'manual' | 'webhook' | 'poll' | 'rollback' | 'recovery';

export interface Deployment {
  id: string;
  trigger: DeploymentTrigger;
  actor: string;
  commit: string | null;
  state: DeploymentState;
  services: string[];
  rollbackTo: string | null;
  plan: unknown;
  gates: unknown;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface ServiceDeployment {
  id: string;
  deploymentId: string;
  service: string;
  kind: 'compose' | 'native';
  state: ServiceDeploymentState;
  configHash: string;
  version: string | null;
  snapshotDir: string | null;
  detail: Record<string, unknown>;
  previousId: string | null;
  reason: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface DeploymentLogLine {
  ts: string;
  service: string | null;
  level: 'info' | 'warn' | 'error';
  message: string;
}

export interface DeploymentRow {
  id: string;
  trigger: DeploymentTrigger;
  actor: string;
  commit_sha: string | null;
  state: DeploymentState;
  services: string;
  rollback_to: string | null;
  plan: string | null;
  gates: string | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

export interface ServiceRow {
  id: string;
  deployment_id: string;
  service: string;
  kind: 'compose' | 'native';
  state: ServiceDeploymentState;
  config_hash: string;
  version: string | null;
  snapshot_dir: string | null;
  detail: string;
  previous_id: string | null;
  reason: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

export const toDeployment = (r: DeploymentRow): Deployment => ({
  id: r.id,
  trigger: r.trigger,
  actor: r.actor,
  commit: r.commit_sha,
  state: r.state,
  services: JSON.parse(r.services) as string[],
  rollbackTo: r.rollback_to,
  plan: parse(r.plan),
  gates: parse(r.gates),
  error: r.error,
  createdAt: r.created_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});

export const toService = (r: ServiceRow): ServiceDeployment => ({
  id: r.id,
  deploymentId: r.deployment_id,
  service: r.service,
  kind: r.kind,
  state: r.state,
  configHash: r.config_hash,
  version: r.version,
  snapshotDir: r.snapshot_dir,
  detail: JSON.parse(r.detail) as Record<string, unknown>,
  previousId: r.previous_id,
  reason: r.reason,
  createdAt: r.created_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
});
