import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { StewardError } from '../core/errors.js';
import { defaultMigrationsDir, openStore } from './db.js';
import { applyMigrations, listMigrations, migrationStatus, rollbackMigrations } from './migrate.js';

const realDir = defaultMigrationsDir();
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanups.splice(0).reverse()) fn();
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-migrate-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function rawDb(file: string): Database.Database {
  const db = new Database(file);
  cleanups.push(() => db.open && db.close());
  return db;
}

/** A migrations dir holding the spine's real migration plus extra files. */
function migrationsWith(extra: Record<string, string>): string {
  const dir = tempDir();
  // Only the spine's migration: these tests exercise the mechanism with their own numbered files.
  for (const name of fs.readdirSync(realDir).filter((n) => n.startsWith('001_')))
    fs.copyFileSync(path.join(realDir, name), path.join(dir, name));
  for (const [name, sql] of Object.entries(extra)) fs.writeFileSync(path.join(dir, name), sql);
  return dir;
}

function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function catchError(fn: () => unknown): StewardError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StewardError);
    return err as StewardError;
  }
  throw new Error('expected an error');
}

const tables = (db: Database.Database) =>
  (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[]
  ).map((r) => r.name);

describe('migrations', () => {
  it('lists the real migrations in order', () => {
    const list = listMigrations(realDir);
    expect(list[0]).toEqual({
      version: 1,
      name: 'spine',
      up: '001_spine.up.sql',
      down: '001_spine.down.sql',
    });
    expect(list.map((m) => m.version)).toEqual([...list.map((m) => m.version)].sort((a, b) => a - b));
  });

  it('applies all pending migrations and records each', () => {
    const file = path.join(tempDir(), 'steward.db');
    const clock = new ManualClock('2026-03-01T10:00:00.000Z');
    const store = openStore({ file, clock });
    const status = migrationStatus(store.db, realDir);
    expect(status.current).toBe(listMigrations(realDir).at(-1)?.version);
    expect(status.pending).toEqual([]);
    expect(status.applied[0]).toEqual({ version: 1, name: 'spine', applied_at: '2026-03-01T10:00:00.000Z' });
    expect(tables(store.db)).toEqual(
      expect.arrayContaining([
        'audit_log',
        'api_tokens',
        'environments',
        'job_runs',
        'schema_migrations',
        'services',
      ]),
    );
    // Idempotent: nothing left to apply.
    expect(applyMigrations(store.db, realDir)).toEqual([]);
    store.close();
  });

  it('reports pending migrations without applying them', () => {
    const db = rawDb(':memory:');
    const status = migrationStatus(db, realDir);
    expect(status.current).toBe(0);
    expect(status.applied).toEqual([]);
    expect(status.pending[0]).toEqual({ version: 1, name: 'spine' });
    expect(tables(db)).toEqual([]);
  });

  it('a failing migration rolls back everything and leaves the file byte-identical', () => {
    const file = path.join(tempDir(), 'steward.db');
    openStore({ file, migrationsDir: migrationsWith({}) }).close();
    const before = sha256File(file);
    const dir = migrationsWith({
      '002_ok.up.sql': 'CREATE TABLE IF NOT EXISTS fine (id TEXT PRIMARY KEY) STRICT;',
      '003_broken.up.sql': 'CREATE TABLE IF NOT EXISTS half (id TEXT) STRICT;\nCREATE TABLEX nope;',
    });
    const err = catchError(() => openStore({ file, migrationsDir: dir }));
    expect(err.code).toBe('E_MIGRATION');
    expect(err.message).toMatch(/^migration 003_broken\.up\.sql failed: .*syntax error/);
    expect(err.hint).toBeTruthy();
    expect(sha256File(file)).toBe(before);
    const db = rawDb(file);
    expect(tables(db)).not.toContain('fine');
    expect(migrationStatus(db, dir).current).toBe(1);
  });

  it('a failure on a fresh database creates nothing, not even schema_migrations', () => {
    const file = path.join(tempDir(), 'fresh.db');
    const dir = migrationsWith({ '002_broken.up.sql': 'this is not sql' });
    const err = catchError(() => openStore({ file, migrationsDir: dir }));
    expect(err.message).toContain('migration 002_broken.up.sql failed');
    expect(tables(rawDb(file))).toEqual([]);
  });

  it('rolls back the last n migrations, newest first', () => {
    const dir = migrationsWith({
      '002_extra.up.sql': 'CREATE TABLE IF NOT EXISTS extra (id TEXT PRIMARY KEY) STRICT;',
      '002_extra.down.sql': 'DROP TABLE extra;',
    });
    const store = openStore({ file: path.join(tempDir(), 's.db'), migrationsDir: dir });
    cleanups.push(() => store.close());
    expect(rollbackMigrations(store.db, dir, 1)).toEqual([{ version: 2, name: 'extra' }]);
    expect(tables(store.db)).not.toContain('extra');
    expect(migrationStatus(store.db, dir).current).toBe(1);
    expect(rollbackMigrations(store.db, dir, 1)).toEqual([{ version: 1, name: 'spine' }]);
    expect(tables(store.db)).toEqual(['schema_migrations']);
    expect(migrationStatus(store.db, dir).pending.map((m) => m.version)).toEqual([1, 2]);
    expect(applyMigrations(store.db, dir).map((m) => m.version)).toEqual([1, 2]);
    expect(catchError(() => rollbackMigrations(store.db, dir, 3)).code).toBe('E_USAGE');
  });

  it('refuses to roll back a migration without a down file, changing nothing', () => {
    const dir = migrationsWith({
      '002_oneway.up.sql': 'CREATE TABLE IF NOT EXISTS oneway (id TEXT) STRICT;',
    });
    const store = openStore({ file: ':memory:', migrationsDir: dir });
    const err = catchError(() => rollbackMigrations(store.db, dir, 2));
    expect(err.code).toBe('E_MIGRATION');
    expect(err.message).toContain('002_oneway has no .down.sql');
    expect(migrationStatus(store.db, dir).current).toBe(2);
    store.close();
  });

  it('a failing down file rolls back the whole rollback', () => {
    const dir = migrationsWith({
      '002_extra.up.sql': 'CREATE TABLE IF NOT EXISTS extra (id TEXT) STRICT;',
      '002_extra.down.sql': 'DROP TABLE extra;',
    });
    const store = openStore({ file: ':memory:', migrationsDir: dir });
    fs.writeFileSync(path.join(dir, '001_spine.down.sql'), 'DROP TABLE no_such_table;');
    const err = catchError(() => rollbackMigrations(store.db, dir, 2));
    expect(err.message).toMatch(/^migration 001_spine\.down\.sql failed: no such table/);
    expect(tables(store.db)).toContain('extra');
    expect(migrationStatus(store.db, dir).current).toBe(2);
    store.close();
  });

  it('rejects a database migrated by a newer Steward', () => {
    const file = path.join(tempDir(), 's.db');
    const newer = migrationsWith({
      '002_future.up.sql': 'CREATE TABLE IF NOT EXISTS future (id TEXT) STRICT;',
    });
    openStore({ file, migrationsDir: newer }).close();
    const spineOnly = migrationsWith({});
    const err = catchError(() => openStore({ file, migrationsDir: spineOnly }));
    expect(err.code).toBe('E_MIGRATION');
    expect(err.message).toContain('database is newer than this Steward');
    expect(err.message).toContain('002_future');
    expect(migrationStatus(rawDb(file), spineOnly).unknown.map((m) => m.version)).toEqual([2]);
  });

  it('rejects a pending migration numbered below the current version', () => {
    const file = path.join(tempDir(), 's.db');
    const v3 = migrationsWith({ '003_c.up.sql': 'SELECT 1;' });
    openStore({ file, migrationsDir: v3 }).close();
    fs.writeFileSync(path.join(v3, '002_b.up.sql'), 'SELECT 1;');
    expect(catchError(() => openStore({ file, migrationsDir: v3 })).message).toContain(
      '002_b is pending but 3',
    );
  });

  it('validates file names', () => {
    for (const bad of ['2_short.up.sql', '002_Name.up.sql', '002_x.sideways.sql', '000_zero.up.sql']) {
      const dir = migrationsWith({ [bad]: 'SELECT 1;' });
      expect(catchError(() => listMigrations(dir)).code, bad).toBe('E_MIGRATION');
    }
    expect(catchError(() => listMigrations(migrationsWith({ '001_other.up.sql': '' }))).message).toContain(
      'share version 1',
    );
    expect(catchError(() => listMigrations(migrationsWith({ '002_x.down.sql': '' }))).message).toContain(
      'no matching .up.sql',
    );
    expect(listMigrations(migrationsWith({ 'README.md': '# notes' })).length).toBe(1);
    expect(catchError(() => listMigrations(path.join(tempDir(), 'missing'))).code).toBe('E_MIGRATION');
  });

  it('refuses migrations that contain transaction control, before writing anything', () => {
    const file = path.join(tempDir(), 's.db');
    openStore({ file, migrationsDir: migrationsWith({}) }).close();
    const before = sha256File(file);
    const dir = migrationsWith({
      '002_commit.up.sql': "CREATE TABLE t (x TEXT) STRICT;\nCOMMIT;\nSELECT 'COMMIT';",
    });
    const err = catchError(() => openStore({ file, migrationsDir: dir }));
    expect(err.message).toContain('002_commit.up.sql contains transaction control (COMMIT)');
    expect(sha256File(file)).toBe(before);
    // Trigger bodies, string literals and comments are not transaction control.
    const ok = migrationsWith({
      '002_trigger.up.sql': `-- COMMIT; in a comment
        CREATE TABLE IF NOT EXISTS t (x TEXT) STRICT;
        CREATE TRIGGER IF NOT EXISTS t_guard BEFORE DELETE ON t BEGIN SELECT RAISE(ROLLBACK, 'no; END'); END;
        INSERT INTO t VALUES ('BEGIN; COMMIT;');`,
    });
    expect(applyMigrations(rawDb(file), ok)).toEqual([{ version: 2, name: 'trigger' }]);
  });
});
