import { type Clock, isoNow } from '../core/clock.js';
import { StewardError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { defineLifecycle } from '../core/lifecycle.js';
import { type Db, normalizeLimit, statementCache } from './statements.js';

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

interface DeploymentRow {
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

interface ServiceRow {
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

const toDeployment = (r: DeploymentRow): Deployment => ({
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

const toService = (r: ServiceRow): ServiceDeployment => ({
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

const finalServiceStates: ServiceDeploymentState[] = ['live', 'decommissioned', 'failed', 'rolled_back'];

/** Deployments and their per-service rows; every state change goes through the lifecycles above. */
export class Deployments {
  readonly #db: Db;
  readonly #q: ReturnType<typeof statementCache>;
  readonly #clock: Clock;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#q = statementCache(db);
    this.#clock = clock;
  }

  enqueue(input: {
    trigger: DeploymentTrigger;
    actor: string;
    services?: string[];
    commit?: string | null;
    rollbackTo?: string | null;
  }): Deployment {
    const id = newId();
    this.#q(
      `INSERT INTO deployments (id, trigger, actor, commit_sha, state, services, rollback_to, created_at)
       VALUES (?, ?, ?, ?, 'queued', ?, ?, ?)`,
    ).run(
      id,
      input.trigger,
      input.actor,
      input.commit ?? null,
      JSON.stringify(input.services ?? []),
      input.rollbackTo ?? null,
      isoNow(this.#clock),
    );
    return this.get(id);
  }

  get(id: string): Deployment {
    const row = this.#q('SELECT * FROM deployments WHERE id = ?').get(id) as DeploymentRow | undefined;
    if (!row) {
      throw new StewardError('E_NOT_FOUND', `no deployment ${id}`, {
        hint: 'steward deploy history lists them',
      });
    }
    return toDeployment(row);
  }

  find(id: string): Deployment | null {
    const row = this.#q('SELECT * FROM deployments WHERE id = ?').get(id) as DeploymentRow | undefined;
    return row ? toDeployment(row) : null;
  }

  /** The oldest queued deployment, which the runner takes next. */
  nextQueued(): Deployment | null {
    const row = this.#q(
      "SELECT * FROM deployments WHERE state = 'queued' ORDER BY created_at, id LIMIT 1",
    ).get() as DeploymentRow | undefined;
    return row ? toDeployment(row) : null;
  }

  /** Deployments a dead process left running (crash recovery). */
  running(): Deployment[] {
    return (
      this.#q(
        "SELECT * FROM deployments WHERE state = 'running' ORDER BY created_at",
      ).all() as DeploymentRow[]
    ).map(toDeployment);
  }

  list(opts: { service?: string; limit?: number } = {}): Deployment[] {
    const limit = normalizeLimit(opts.limit, 50);
    const rows = opts.service
      ? (this.#q(
          `SELECT d.* FROM deployments d WHERE EXISTS (SELECT 1 FROM service_deployments s WHERE s.deployment_id = d.id AND s.service = ?)
           ORDER BY d.created_at DESC, d.id DESC LIMIT ?`,
        ).all(opts.service, limit) as DeploymentRow[])
      : (this.#q('SELECT * FROM deployments ORDER BY created_at DESC, id DESC LIMIT ?').all(
          limit,
        ) as DeploymentRow[]);
    return rows.map(toDeployment);
  }

  transition(
    id: string,
    to: DeploymentState,
    fields: { error?: string | null; plan?: unknown; gates?: unknown; commit?: string | null } = {},
  ): Deployment {
    const now = isoNow(this.#clock);
    this.#db
      .transaction(() => {
        const current = this.get(id);
        deploymentLifecycle.assertTransition(current.state, to);
        const final = deploymentLifecycle.isTerminal(to);
        this.#q(
          `UPDATE deployments SET state = ?, started_at = COALESCE(started_at, CASE WHEN ? = 'running' THEN ? END),
             finished_at = CASE WHEN ? THEN ? ELSE finished_at END,
             error = COALESCE(?, error), plan = COALESCE(?, plan), gates = COALESCE(?, gates), commit_sha = COALESCE(?, commit_sha)
           WHERE id = ?`,
        ).run(
          to,
          to,
          now,
          final ? 1 : 0,
          now,
          fields.error ?? null,
          fields.plan === undefined ? null : JSON.stringify(fields.plan),
          fields.gates === undefined ? null : JSON.stringify(fields.gates),
          fields.commit ?? null,
          id,
        );
      })
      .immediate();
    return this.get(id);
  }

  /** Records the commit, plan or gate results of a running deployment. */
  update(id: string, fields: { plan?: unknown; gates?: unknown; commit?: string | null }): Deployment {
    this.#q(
      'UPDATE deployments SET plan = COALESCE(?, plan), gates = COALESCE(?, gates), commit_sha = COALESCE(?, commit_sha) WHERE id = ?',
    ).run(
      fields.plan === undefined ? null : JSON.stringify(fields.plan),
      fields.gates === undefined ? null : JSON.stringify(fields.gates),
      fields.commit ?? null,
      id,
    );
    return this.get(id);
  }

  /** Adds a planned row for a service; fails with E_CONFLICT when the service is already being deployed. */
  addService(input: {
    deploymentId: string;
    service: string;
    kind: 'compose' | 'native';
    configHash: string;
    version?: string | null;
    snapshotDir?: string | null;
    detail?: Record<string, unknown>;
    previousId?: string | null;
  }): ServiceDeployment {
    const id = newId();
    const now = isoNow(this.#clock);
    this.#q(
      `INSERT INTO service_deployments (id, deployment_id, service, kind, state, config_hash, version, snapshot_dir, detail, previous_id, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'planned', ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      input.deploymentId,
      input.service,
      input.kind,
      input.configHash,
      input.version ?? null,
      input.snapshotDir ?? null,
      JSON.stringify(input.detail ?? {}),
      input.previousId ?? null,
      now,
      now,
    );
    return this.getService(id);
  }

  getService(id: string): ServiceDeployment {
    const row = this.#q('SELECT * FROM service_deployments WHERE id = ?').get(id) as ServiceRow | undefined;
    if (!row) throw new StewardError('E_NOT_FOUND', `no service deployment ${id}`);
    return toService(row);
  }

  servicesOf(deploymentId: string): ServiceDeployment[] {
    return (
      this.#q('SELECT * FROM service_deployments WHERE deployment_id = ? ORDER BY created_at, id').all(
        deploymentId,
      ) as ServiceRow[]
    ).map(toService);
  }

  /** The row that is Live for a service, if any. */
  live(service: string): ServiceDeployment | null {
    const row = this.#q("SELECT * FROM service_deployments WHERE service = ? AND state = 'live'").get(
      service,
    ) as ServiceRow | undefined;
    return row ? toService(row) : null;
  }

  /** The row being deployed for a service (in progress or testing), if any. */
  active(service: string): ServiceDeployment | null {
    const row = this.#q(
      "SELECT * FROM service_deployments WHERE service = ? AND state IN ('in_progress', 'testing')",
    ).get(service) as ServiceRow | undefined;
    return row ? toService(row) : null;
  }

  /**
   * Moves a service row; into in_progress the partial unique index refuses a second active
   * deployment of the same service. Going live decommissions the row it replaces, atomically.
   */
  transitionService(
    id: string,
    to: ServiceDeploymentState,
    fields: { reason?: string | null; detail?: Record<string, unknown>; version?: string | null } = {},
  ): ServiceDeployment {
    const now = isoNow(this.#clock);
    try {
      this.#db
        .transaction(() => {
          const current = this.getService(id);
          serviceDeploymentLifecycle.assertTransition(current.state, to);
          if (to === 'live') {
            const previous = this.live(current.service);
            if (previous) {
              this.#q(
                "UPDATE service_deployments SET state = 'decommissioned', finished_at = ?, updated_at = ? WHERE id = ?",
              ).run(now, now, previous.id);
            }
          }
          this.#q(
            `UPDATE service_deployments SET state = ?, updated_at = ?,
               started_at = COALESCE(started_at, CASE WHEN ? = 'in_progress' THEN ? END),
               finished_at = CASE WHEN ? THEN ? ELSE finished_at END,
               reason = COALESCE(?, reason), detail = COALESCE(?, detail), version = COALESCE(?, version)
             WHERE id = ?`,
          ).run(
            to,
            now,
            to,
            now,
            finalServiceStates.includes(to) ? 1 : 0,
            now,
            fields.reason ?? null,
            fields.detail === undefined ? null : JSON.stringify({ ...current.detail, ...fields.detail }),
            fields.version ?? null,
            id,
          );
          this.#syncServiceState(current.service, now);
        })
        .immediate();
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
        const row = this.getService(id);
        throw new StewardError('E_CONFLICT', `${row.service} is already being deployed`, {
          hint: 'wait for that deployment to finish (steward deploy history)',
        });
      }
      throw err;
    }
    return this.getService(id);
  }

  /** services.state tells the truth: being deployed, else Live when a row is Live, else the last outcome. */
  #syncServiceState(service: string, now: string): void {
    const active = this.active(service);
    const live = this.live(service);
    const last = this.#q(
      'SELECT state FROM service_deployments WHERE service = ? ORDER BY created_at DESC, id DESC LIMIT 1',
    ).get(service) as { state: string } | undefined;
    const state = active?.state ?? (live ? 'live' : (last?.state ?? 'planned'));
    this.#q('UPDATE services SET state = ?, updated_at = ? WHERE name = ? AND state != ?').run(
      state,
      now,
      service,
      state,
    );
  }

  setDetail(id: string, detail: Record<string, unknown>): ServiceDeployment {
    const current = this.getService(id);
    this.#q('UPDATE service_deployments SET detail = ?, updated_at = ? WHERE id = ?').run(
      JSON.stringify({ ...current.detail, ...detail }),
      isoNow(this.#clock),
      id,
    );
    return this.getService(id);
  }

  setSnapshot(id: string, snapshotDir: string): ServiceDeployment {
    this.#q('UPDATE service_deployments SET snapshot_dir = ?, updated_at = ? WHERE id = ?').run(
      snapshotDir,
      isoNow(this.#clock),
      id,
    );
    return this.getService(id);
  }

  log(
    deploymentId: string,
    level: DeploymentLogLine['level'],
    message: string,
    service: string | null = null,
  ): void {
    this.#q(
      'INSERT INTO deployment_log (deployment_id, ts, service, level, message) VALUES (?, ?, ?, ?, ?)',
    ).run(deploymentId, isoNow(this.#clock), service, level, message);
  }

  logOf(deploymentId: string): DeploymentLogLine[] {
    return this.#q(
      'SELECT ts, service, level, message FROM deployment_log WHERE deployment_id = ? ORDER BY id',
    ).all(deploymentId) as DeploymentLogLine[];
  }

  /** Records a webhook delivery; false when that id was seen before (a replay). */
  recordDelivery(provider: string, deliveryId: string): boolean {
    const result = this.#q(
      'INSERT INTO webhook_deliveries (provider, delivery_id, received_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    ).run(provider, deliveryId, isoNow(this.#clock));
    return result.changes === 1;
  }

  linkDelivery(provider: string, deliveryId: string, deploymentId: string): void {
    this.#q('UPDATE webhook_deliveries SET deployment_id = ? WHERE provider = ? AND delivery_id = ?').run(
      deploymentId,
      provider,
      deliveryId,
    );
  }

  /** Outcome counts per service for the exporter. */
  outcomeCounts(): { service: string; outcome: string; count: number }[] {
    return this.#q(
      `SELECT service, CASE WHEN state IN ('live', 'decommissioned') THEN 'succeeded' ELSE state END AS outcome,
         COUNT(*) AS count FROM service_deployments
       WHERE state IN ('live', 'decommissioned', 'failed', 'rolled_back') GROUP BY service, outcome`,
    ).all() as { service: string; outcome: string; count: number }[];
  }
}
