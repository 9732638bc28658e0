import { type Clock, isoNow, systemClock } from '../core/clock.js';
import { errorMessage, StewardError } from '../core/errors.js';
import { listMigrations, type MigrationFile, readMigrationSql } from './migration-files.js';
import type { Db } from './statements.js';

export { listMigrations, type MigrationFile } from './migration-files.js';

export interface AppliedMigration {
  version: number;
  name: string;
  applied_at: string;
}

export interface MigrationRef {
  version: number;
  name: string;
}

export interface MigrationStatus {
  /** Highest applied version; 0 for a fresh database. */
  current: number;
  applied: AppliedMigration[];
  pending: MigrationRef[];
  /** Applied versions with no file here: the database was migrated by a newer Steward. */
  unknown: AppliedMigration[];
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
) STRICT`;

function readApplied(db: Db): AppliedMigration[] {
  const exists = db
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  if (!exists) return [];
  return db
    .prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version')
    .all() as AppliedMigration[];
}

function statusOf(db: Db, files: MigrationFile[]): MigrationStatus {
  const applied = readApplied(db);
  const appliedVersions = new Set(applied.map((m) => m.version));
  const fileVersions = new Set(files.map((m) => m.version));
  return {
    current: applied.reduce((max, m) => Math.max(max, m.version), 0),
    applied,
    pending: files
      .filter((f) => !appliedVersions.has(f.version))
      .map(({ version, name }) => ({ version, name })),
    unknown: applied.filter((m) => !fileVersions.has(m.version)),
  };
}

export function migrationStatus(db: Db, dir: string): MigrationStatus {
  return statusOf(db, listMigrations(dir));
}

function label(m: MigrationRef): string {
  return `${String(m.version).padStart(3, '0')}_${m.name}`;
}

/** Refuses to touch a schema this Steward does not fully know, or a migration slipped in below the current one. */
function assertConsistent(status: MigrationStatus, dir: string): void {
  const [newer] = status.unknown;
  if (newer) {
    throw new StewardError(
      'E_MIGRATION',
      `database is newer than this Steward: migration ${label(newer)} is applied but not in ${dir}`,
      {
        hint: 'run the Steward version that last migrated this database, or restore a backup taken before it',
      },
    );
  }
  const [stray] = status.pending.filter((m) => m.version < status.current);
  if (stray) {
    throw new StewardError(
      'E_MIGRATION',
      `migration ${label(stray)} is pending but ${status.current} is already applied`,
      { hint: 'migrations apply in order: give a new migration a number above every existing one' },
    );
  }
}

/** For read-only opens: the schema must already be what this Steward expects. */
export function assertSchemaCurrent(db: Db, dir: string): void {
  const status = migrationStatus(db, dir);
  assertConsistent(status, dir);
  if (status.pending.length) {
    throw new StewardError(
      'E_MIGRATION',
      `database needs migrations (${status.pending.map(label).join(', ')}) but was opened read-only`,
      { hint: 'start the daemon (or open the store read-write) once to apply them' },
    );
  }
}

/** Runs fn in one BEGIN IMMEDIATE transaction; anything thrown rolls back all of it. */
function inOneTransaction(db: Db, what: string, fn: () => void): void {
  try {
    db.transaction(fn).immediate();
  } catch (err) {
    if (err instanceof StewardError) throw err;
    throw new StewardError('E_MIGRATION', `${what} failed: ${errorMessage(err)}`, {
      hint: 'nothing was changed; if the database is locked, another process is writing to it',
      cause: err,
    });
  }
}

function runScript(db: Db, file: string, sql: string): void {
  try {
    db.exec(sql);
  } catch (err) {
    throw new StewardError('E_MIGRATION', `migration ${file} failed: ${errorMessage(err)}`, {
      hint: 'nothing was applied and the database is unchanged; fix the migration or run the previous Steward',
      cause: err,
    });
  }
  if (!db.inTransaction) {
    throw new StewardError('E_MIGRATION', `migration ${file} ended the migration transaction`, {
      hint: 'migrations must not contain transaction control statements',
    });
  }
}

/**
 * Applies every pending migration in ONE transaction, recording each in schema_migrations.
 * schema_migrations itself is created inside that transaction, so a failure leaves the
 * database file exactly as it was.
 */
export function applyMigrations(db: Db, dir: string, options: { clock?: Clock } = {}): MigrationRef[] {
  const files = listMigrations(dir);
  const status = statusOf(db, files);
  assertConsistent(status, dir);
  const pending = files.filter((f) => status.pending.some((p) => p.version === f.version));
  if (!pending.length) return [];
  // Read (and check) every file before the transaction: I/O errors must not happen half-way.
  const scripts = pending.map((m) => ({ m, sql: readMigrationSql(dir, m.up) }));
  const appliedAt = isoNow(options.clock ?? systemClock);
  inOneTransaction(db, 'applying migrations', () => {
    db.exec(CREATE_TABLE);
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const { m, sql } of scripts) {
      runScript(db, m.up, sql);
      record.run(m.version, m.name, appliedAt);
    }
  });
  return pending.map(({ version, name }) => ({ version, name }));
}

/** Runs the down files of the last n applied migrations, newest first, in one transaction. */
export function rollbackMigrations(db: Db, dir: string, n: number): MigrationRef[] {
  if (!Number.isInteger(n) || n < 1) {
    throw new StewardError(
      'E_USAGE',
      `number of migrations to roll back must be a positive integer, got ${n}`,
    );
  }
  const files = listMigrations(dir);
  const status = statusOf(db, files);
  assertConsistent(status, dir);
  if (n > status.applied.length) {
    throw new StewardError(
      'E_USAGE',
      `cannot roll back ${n} migration(s): only ${status.applied.length} applied`,
    );
  }
  const targets = [...status.applied].reverse().slice(0, n);
  const scripts = targets.map((applied) => {
    const file = files.find((f) => f.version === applied.version);
    if (!file?.down) {
      throw new StewardError('E_MIGRATION', `migration ${label(applied)} has no .down.sql file`, {
        hint: 'it cannot be rolled back automatically; restore a backup instead',
      });
    }
    return { m: file, down: file.down, sql: readMigrationSql(dir, file.down) };
  });
  inOneTransaction(db, 'rolling back migrations', () => {
    const forget = db.prepare('DELETE FROM schema_migrations WHERE version = ?');
    for (const { m, down, sql } of scripts) {
      runScript(db, down, sql);
      forget.run(m.version);
    }
  });
  return scripts.map(({ m }) => ({ version: m.version, name: m.name }));
}
