import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type Clock, systemClock } from '../core/clock.js';
import { errorMessage, StewardError } from '../core/errors.js';
import { Alerts } from './alerts.js';
import { ApiTokens } from './api-tokens.js';
import { AuditLog } from './audit-log.js';
import { BackupArchives } from './backup-archives.js';
import { BackupRuns } from './backup-runs.js';
import { Checks } from './checks.js';
import { Deliveries } from './deliveries.js';
import { Deployments } from './deployments.js';
import { Environments } from './environments.js';
import { ExposureRuns } from './exposure-runs.js';
import { JobRuns } from './job-runs.js';
import { MetricSamples } from './metric-samples.js';
import { applyMigrations, assertSchemaCurrent } from './migrate.js';
import { MqttQuarantine, MqttSequences } from './mqtt-quarantine.js';
import { MqttRetained } from './mqtt-retained.js';
import { PolicyFindings } from './policy-findings.js';
import { RecoveryPoints } from './recovery-points.js';
import { Services } from './services.js';
import { Silences } from './silences.js';
import type { Db } from './statements.js';
import { WebhookDeliveries } from './webhook-deliveries.js';

export interface OpenStoreOptions {
  /** Database file path, or ':memory:' (tests). */
  file: string;
  migrationsDir?: string;
  /** Apply pending migrations (read-write) or require none pending (read-only). Default true. */
  migrate?: boolean;
  clock?: Clock;
  readonly?: boolean;
}

export interface Store {
  /** The raw handle, for store-internal use. */
  readonly db: Db;
  readonly file: string;
  readonly readonly: boolean;
  readonly audit: AuditLog;
  readonly tokens: ApiTokens;
  readonly jobRuns: JobRuns;
  readonly services: Services;
  readonly environments: Environments;
  readonly backupRuns: BackupRuns;
  readonly archives: BackupArchives;
  readonly recoveryPoints: RecoveryPoints;
  readonly metrics: MetricSamples;
  readonly checks: Checks;
  readonly alerts: Alerts;
  readonly silences: Silences;
  readonly policyFindings: PolicyFindings;
  readonly deployments: Deployments;
  readonly webhookDeliveries: WebhookDeliveries;
  readonly exposureRuns: ExposureRuns;
  readonly mqttQuarantine: MqttQuarantine;
  readonly mqttSequences: MqttSequences;
  readonly mqttRetained: MqttRetained;
  readonly deliveries: Deliveries;
  /** Whether a write lock can be taken right now (health checks). */
  isWritable(): boolean;
  close(): void;
}

/** Beside this module: src/store/migrations under tsx/vitest, dist/store/migrations after the build. */
export function defaultMigrationsDir(): string {
  return process.env.STEWARD_MIGRATIONS_DIR || fileURLToPath(new URL('./migrations/', import.meta.url));
}

export function openStore(options: OpenStoreOptions): Store {
  const { file, migrate = true, clock = systemClock, readonly = false } = options;
  const migrationsDir = options.migrationsDir ?? defaultMigrationsDir();
  const inMemory = file === ':memory:';
  if (!inMemory && !readonly) prepareFile(file);
  const db = openHandle(file, readonly);
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    // Changing the journal mode is a write, so a read-only handle keeps whatever the file has (WAL).
    if (!readonly) db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    if (migrate) {
      if (readonly) assertSchemaCurrent(db, migrationsDir);
      else applyMigrations(db, migrationsDir, { clock });
    }
  } catch (err) {
    db.close();
    throw err;
  }
  return {
    db,
    file,
    readonly,
    audit: new AuditLog(db, clock),
    tokens: new ApiTokens(db, clock),
    jobRuns: new JobRuns(db, clock),
    services: new Services(db, clock),
    environments: new Environments(db, clock),
    backupRuns: new BackupRuns(db, clock),
    metrics: new MetricSamples(db, clock),
    checks: new Checks(db, clock),
    alerts: new Alerts(db, clock),
    silences: new Silences(db, clock),
    policyFindings: new PolicyFindings(db, clock),
    deployments: new Deployments(db, clock),
    webhookDeliveries: new WebhookDeliveries(db, clock),
    exposureRuns: new ExposureRuns(db, clock),
    mqttQuarantine: new MqttQuarantine(db),
    mqttSequences: new MqttSequences(db, clock),
    mqttRetained: new MqttRetained(db, clock),
    deliveries: new Deliveries(db, clock),
    archives: new BackupArchives(db, clock),
    recoveryPoints: new RecoveryPoints(db),
    isWritable: () => probeWrite(db),
    close: () => {
      if (db.open) db.close();
    },
  };
}

/**
 * The database holds token hashes and the audit trail: owner-only. The file is created
 * 0600 before SQLite opens it, and SQLite gives -wal/-shm the main file's mode.
 */
function prepareFile(file: string): void {
  try {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: 0o700 });
    try {
      fs.closeSync(fs.openSync(file, 'wx', 0o600));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    for (const f of [file, `${file}-wal`, `${file}-shm`]) restrictMode(f);
  } catch (err) {
    throw new StewardError('E_INTERNAL', `cannot create database ${file}: ${errorMessage(err)}`, {
      hint: 'check that the directory is writable by the user Steward runs as',
      cause: err,
    });
  }
}

function restrictMode(file: string): void {
  try {
    fs.chmodSync(file, 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // Absent -wal/-shm is normal; a file owned by someone else keeps the mode its owner chose.
    if (code !== 'ENOENT' && code !== 'EPERM') throw err;
  }
}

function openHandle(file: string, readonly: boolean): Db {
  try {
    return new Database(file, { readonly, fileMustExist: readonly });
  } catch (err) {
    const missing = readonly && !fs.existsSync(file);
    throw new StewardError(
      missing ? 'E_NOT_FOUND' : 'E_INTERNAL',
      `cannot open database ${file}: ${errorMessage(err)}`,
      {
        hint: missing
          ? 'the daemon creates it on first start; check the state directory in the configuration'
          : 'check the path and its permissions',
        cause: err,
      },
    );
  }
}

/**
 * Takes and releases the write lock without writing. SQLite grants that lock even to a
 * read-only handle, so read-only (asked for, or forced by file permissions) is checked first.
 * Inside a transaction the probe cannot run; we already hold one.
 */
function probeWrite(db: Db): boolean {
  if (!db.open || db.readonly) return false;
  if (db.inTransaction) return true;
  try {
    db.exec('BEGIN IMMEDIATE');
    db.exec('ROLLBACK');
    return true;
  } catch {
    if (db.inTransaction) db.exec('ROLLBACK');
    return false;
  }
}
