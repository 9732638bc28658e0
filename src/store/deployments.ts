import { type Clock, isoNow } from '../core/clock.js';
import { StewardError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import {
  type Deployment,
  type DeploymentLogLine,
  type DeploymentRow,
  type DeploymentState,
  type DeploymentTrigger,
  deploymentLifecycle,
  type ServiceDeployment,
  type ServiceDeploymentState,
  type ServiceRow,
  serviceDeploymentLifecycle,
  toDeployment,
  toService,
} from './deployment-records.js';
import { type Db, normalizeLimit, statementCache } from './statements.js';

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

  /** Outcome counts per service for the exporter. */
  outcomeCounts(): { service: string; outcome: string; count: number }[] {
    return this.#q(
      `SELECT service, CASE WHEN state IN ('live', 'decommissioned') THEN 'succeeded' ELSE state END AS outcome,
         COUNT(*) AS count FROM service_deployments
       WHERE state IN ('live', 'decommissioned', 'failed', 'rolled_back') GROUP BY service, outcome`,
    ).all() as { service: string; outcome: string; count: number }[];
  }
}
