import path from 'node:path';
import type { CommandContext } from '../core/context.js';
import { stewardVersion } from '../core/version.js';
import { readLockHolder } from '../daemon/lock.js';
import type { Scheduler } from '../daemon/scheduler.js';
import { type JobInfo, listJobs } from '../jobs/jobs.js';
import { type ComplianceReport, complianceReport } from '../policy/compliance-summary.js';
import { serviceNameMap } from '../policy/targets.js';
import { defaultMigrationsDir } from '../store/db.js';
import { migrationStatus } from '../store/migrate.js';
import type { Service } from '../store/services.js';

export interface StatusReport {
  name: string | null;
  version: string;
  environment: { name: string; type: string };
  daemon: { running: boolean; pid: number | null; since: string | null; url: string };
  store: { file: string; schemaVersion: number; pendingMigrations: number };
  services: Service[];
  jobs: JobInfo[];
  /** The health table: every active check with its state and last result. */
  checks: CheckSummary[];
  /** Compose policy compliance per service, as of the daemon's last lint pass. */
  policy: ComplianceReport;
}

export interface CheckSummary {
  name: string;
  type: string;
  service: string | null;
  state: string;
  since: string;
  message: string | null;
  checkedAt: string | null;
}

export function daemonLockFile(dataDir: string): string {
  return path.join(dataDir, 'daemon.lock');
}

/** What `steward status` and `GET /api/v1/status` show; works with the daemon stopped. */
export function getStatus(ctx: CommandContext, scheduler?: Scheduler): StatusReport {
  const holder = readLockHolder(daemonLockFile(ctx.config.data_dir));
  const migrations = migrationStatus(ctx.store.db, defaultMigrationsDir());
  return {
    name: ctx.config.name ?? null,
    version: stewardVersion,
    environment: { name: ctx.config.environment.name, type: ctx.config.environment.type },
    daemon: {
      running: holder?.alive === true,
      pid: holder?.alive ? holder.pid : null,
      since: holder?.alive ? holder.acquiredAt : null,
      url: `http://${ctx.config.server.listen}`,
    },
    store: {
      file: ctx.store.file,
      schemaVersion: migrations.current,
      pendingMigrations: migrations.pending.length,
    },
    services: ctx.store.services.list(),
    jobs: listJobs(ctx, scheduler),
    checks: ctx.store.checks.list().map((c) => ({
      name: c.name,
      type: c.type,
      service: c.service,
      state: c.state,
      since: c.stateSince,
      message: c.lastMessage,
      checkedAt: c.lastCheckedAt,
    })),
    policy: complianceReport(ctx.store, [...serviceNameMap(ctx.config).values()]),
  };
}
