import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { StewardError } from '../core/errors.js';
import { defaultMigrationsDir, openStore, type Store } from './db.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanups.splice(0).reverse()) fn();
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-db-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function open(options: Parameters<typeof openStore>[0]): Store {
  const store = openStore(options);
  cleanups.push(() => store.close());
  return store;
}

const mode = (file: string) => fs.statSync(file).mode & 0o777;

describe('openStore', () => {
  it('sets the pragmas', () => {
    const store = open({ file: path.join(tempDir(), 's.db') });
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(store.db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
  });

  it('creates the directory 0700 and the file (and its WAL) 0600', () => {
    const file = path.join(tempDir(), 'state', 'nested', 'steward.db');
    const store = open({ file });
    store.audit.append({ actor: 'system', action: 'test', target: 'x', details: {} });
    expect(mode(path.dirname(file))).toBe(0o700);
    expect(mode(file)).toBe(0o600);
    expect(mode(`${file}-wal`)).toBe(0o600);
    expect(mode(`${file}-shm`)).toBe(0o600);
  });

  it('tightens an existing world-readable file', () => {
    const file = path.join(tempDir(), 's.db');
    open({ file }).close();
    fs.chmodSync(file, 0o644);
    open({ file });
    expect(mode(file)).toBe(0o600);
  });

  it('is writable read-write, not read-only, and not after close', () => {
    const file = path.join(tempDir(), 's.db');
    const store = open({ file });
    expect(store.isWritable()).toBe(true);
    const ro = open({ file, readonly: true });
    expect(ro.isWritable()).toBe(false);
    expect(ro.jobRuns.list()).toEqual([]);
    store.close();
    expect(store.isWritable()).toBe(false);
    store.close(); // idempotent
  });

  it('is not writable while another connection holds the write lock', () => {
    const file = path.join(tempDir(), 's.db');
    const a = open({ file });
    const b = open({ file });
    b.db.pragma('busy_timeout = 50');
    a.db.exec('BEGIN IMMEDIATE');
    expect(b.isWritable()).toBe(false);
    expect(b.db.inTransaction).toBe(false);
    a.db.exec('ROLLBACK');
    expect(b.isWritable()).toBe(true);
  });

  it('read-only: missing file is E_NOT_FOUND; pending migrations are refused', () => {
    const dir = tempDir();
    const err = (() => {
      try {
        openStore({ file: path.join(dir, 'nope.db'), readonly: true });
      } catch (e) {
        return e as StewardError;
      }
    })();
    expect(err).toBeInstanceOf(StewardError);
    expect(err?.code).toBe('E_NOT_FOUND');
    const file = path.join(dir, 'empty.db');
    open({ file, migrate: false }).close();
    expect(() => openStore({ file, readonly: true })).toThrow(/opened read-only/);
    expect(open({ file, readonly: true, migrate: false }).readonly).toBe(true);
  });

  it('works in memory', () => {
    const store = open({ file: ':memory:' });
    expect(store.tokens.countActive()).toBe(0);
  });

  it('finds migrations beside the module unless STEWARD_MIGRATIONS_DIR says otherwise', () => {
    const here = path.dirname(fileURLToPath(import.meta.url));
    expect(path.resolve(defaultMigrationsDir())).toBe(path.join(here, 'migrations'));
    const saved = process.env.STEWARD_MIGRATIONS_DIR;
    process.env.STEWARD_MIGRATIONS_DIR = '/opt/steward/migrations';
    try {
      expect(defaultMigrationsDir()).toBe('/opt/steward/migrations');
    } finally {
      if (saved === undefined) delete process.env.STEWARD_MIGRATIONS_DIR;
      else process.env.STEWARD_MIGRATIONS_DIR = saved;
    }
  });
});
