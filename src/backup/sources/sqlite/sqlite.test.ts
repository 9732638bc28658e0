import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, copyFile, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { drillContext, materialize, sourceContext, tempDir } from '../test-support.js';
import { sqliteSource } from './index.js';
import { onlineBackup } from './online-backup.js';
import { type SqliteSourceConfig, sqliteSourceSchema } from './schema.js';

const betterSqlite = createRequire(import.meta.url).resolve('better-sqlite3');

/**
 * A separate process committing small transactions continuously: each adds 1–3 rows to `t` and
 * bumps `counter`, so a consistent copy has ids 1..n and counter = n. argv[2] is a pause between
 * commits: with a rollback journal a writer that never pauses starves every reader, not only
 * backups, so that mode gets a millisecond.
 */
const writerScript = `
const Database = require(${JSON.stringify(betterSqlite)});
const db = new Database(process.argv[1], { timeout: 10000 });
const add = db.prepare('INSERT INTO t (payload) VALUES (randomblob(200))');
const bump = db.prepare('UPDATE counter SET n = n + ?');
const commit = db.transaction((k) => { for (let i = 0; i < k; i++) add.run(); bump.run(k); });
const pause = new Int32Array(new SharedArrayBuffer(4));
const pauseMs = Number(process.argv[2]);
let commits = 0;
for (;;) {
  commit(1 + (commits % 3));
  if (++commits === 50) process.stdout.write('ready\\n');
  if (pauseMs > 0) Atomics.wait(pause, 0, 0, pauseMs);
}
`;

function config(root: string, file = 'app.db'): SqliteSourceConfig {
  return sqliteSourceSchema({ baseDir: root }).parse({ type: 'sqlite', name: 'app', path: file });
}

function createDb(file: string, journalMode: 'wal' | 'delete', rows: number): void {
  const db = new Database(file);
  db.pragma(`journal_mode = ${journalMode}`);
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, payload BLOB); CREATE TABLE counter (n INTEGER)');
  db.prepare('INSERT INTO counter VALUES (?)').run(rows);
  const add = db.prepare('INSERT INTO t (payload) VALUES (randomblob(200))');
  db.transaction(() => {
    for (let i = 0; i < rows; i++) add.run();
  })();
  db.close();
}

let writer: ChildProcess | undefined;
const dirs: string[] = [];
async function dir(): Promise<string> {
  const d = await tempDir('steward-sqlite-');
  dirs.push(d);
  return d;
}
afterEach(async () => {
  writer?.kill('SIGKILL');
  writer = undefined;
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('sqlite source', () => {
  it.each([
    ['wal', 0],
    ['delete', 1],
  ] as const)('copies consistently while a writer commits (%s journal)', async (mode, pauseMs) => {
    const root = await dir();
    const file = path.join(root, 'app.db');
    createDb(file, mode, 5000);
    writer = spawn(process.execPath, ['-e', writerScript, file, String(pauseMs)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      writer?.stdout?.once('data', () => resolve());
      writer?.once('exit', (code) => reject(new Error(`writer exited with ${code}`)));
    });

    for (let round = 0; round < 3; round++) {
      const scratch = await dir();
      const snap = await sqliteSource.snapshot(config(root), sourceContext(scratch));
      const out = await dir();
      const [entry] = await materialize(snap.entries, out);
      await snap.cleanup();
      expect(entry?.path).toBe('app.db');
      expect(snap.meta?.journalMode).toBe(mode === 'wal' ? 'wal' : 'rollback');

      const copy = new Database(path.join(out, 'app.db'), { readonly: true });
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      const { n, lo, hi } = copy
        .prepare('SELECT count(*) AS n, min(id) AS lo, max(id) AS hi FROM t')
        .get() as {
        n: number;
        lo: number;
        hi: number;
      };
      const counter = copy.prepare('SELECT n FROM counter').pluck().get();
      copy.close();
      expect(lo).toBe(1);
      expect(hi).toBe(n); // no gaps: a prefix of the writer's commits
      expect(counter).toBe(n); // and both tables from the same transaction
      expect(n).toBeGreaterThan(5000);
    }
  });

  it('waits for a lock held at the start instead of shipping an empty copy', async () => {
    const root = await dir();
    const file = path.join(root, 'app.db');
    createDb(file, 'delete', 100);
    // better-sqlite3 reports a backup whose first step is SQLITE_BUSY as finished with 0 pages.
    const locker = new Database(file);
    locker.exec('BEGIN EXCLUSIVE');
    setTimeout(() => {
      locker.exec('COMMIT');
      locker.close();
    }, 300);
    const snap = await sqliteSource.snapshot(config(root), sourceContext(await dir()));
    const out = await dir();
    await materialize(snap.entries, out);
    await snap.cleanup();
    const copy = new Database(path.join(out, 'app.db'), { readonly: true });
    expect(copy.prepare('SELECT count(*) FROM t').pluck().get()).toBe(100);
    copy.close();
  });

  it('fails clearly on a missing file and on a file that is not SQLite', async () => {
    const root = await dir();
    const scratch = await dir();
    await expect(sqliteSource.snapshot(config(root, 'nope.db'), sourceContext(scratch))).rejects.toThrow(
      /nope\.db does not exist/,
    );
    await writeFile(path.join(root, 'text.db'), 'just some text, long enough to have a header\n');
    await expect(sqliteSource.snapshot(config(root, 'text.db'), sourceContext(scratch))).rejects.toThrow(
      /text\.db is not an SQLite database/,
    );
    expect(await readdir(scratch)).toEqual([]);
  });

  it('restores over a database with a stale WAL without replaying it, keeping the file mode', async () => {
    const root = await dir();
    const file = path.join(root, 'app.db');
    createDb(file, 'wal', 10);
    const snap = await sqliteSource.snapshot(config(root), sourceContext(await dir()));
    const extracted = await dir();
    await materialize(snap.entries, extracted);
    await snap.cleanup();

    // A crashed application: rows committed only to the WAL, connection never closed cleanly.
    const live = new Database(file);
    live.pragma('wal_autocheckpoint = 0');
    live.exec("DELETE FROM t; INSERT INTO t (payload) VALUES (X'00')");
    const crashed = path.join(root, 'crashed');
    await mkdir(crashed);
    for (const suffix of ['', '-wal', '-shm'])
      await copyFile(`${file}${suffix}`, path.join(crashed, `app.db${suffix}`));
    live.close();
    expect((await stat(path.join(crashed, 'app.db-wal'))).size).toBeGreaterThan(0);
    await chmod(path.join(crashed, 'app.db'), 0o640);

    const target = config(crashed);
    await sqliteSource.restoreInPlace(target, extracted, drillContext(await dir()));
    expect((await readdir(crashed)).sort()).toEqual(['app.db']);
    expect((await stat(path.join(crashed, 'app.db'))).mode & 0o777).toBe(0o640);
    const db = new Database(path.join(crashed, 'app.db'), { readonly: true });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(10);
    db.close();
  });

  it('refuses to restore a damaged copy and leaves the live database alone', async () => {
    const root = await dir();
    createDb(path.join(root, 'app.db'), 'delete', 10);
    const extracted = await dir();
    await writeFile(path.join(extracted, 'app.db'), 'SQLite format 3\0'.padEnd(8192, 'x'));
    await expect(
      sqliteSource.restoreInPlace(config(root), extracted, drillContext(extracted)),
    ).rejects.toThrow();
    const db = new Database(path.join(root, 'app.db'), { readonly: true });
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(10);
    db.close();
    expect(await readdir(root)).toEqual(['app.db']);
  });

  it('reports tables and rows in the drill', async () => {
    const root = await dir();
    createDb(path.join(root, 'app.db'), 'wal', 42);
    const check = await sqliteSource.drillCheck(config(root), root, drillContext(root));
    expect(check).toMatchObject({ ok: true, message: 'integrity_check ok, 2 tables, 43 rows' });
    const missing = await sqliteSource.drillCheck(config(root, 'other.db'), root, drillContext(root));
    expect(missing.ok).toBe(false);
  });

  it('an aborted copy rejects with the reason and leaves the worker thread stopped', async () => {
    const root = await dir();
    const file = path.join(root, 'app.db');
    createDb(file, 'wal', 2000);
    const controller = new AbortController();
    const copying = onlineBackup(file, path.join(root, 'copy.db'), controller.signal);
    controller.abort(new Error('stop now'));
    await expect(copying).rejects.toThrow('stop now');
    // Nothing keeps running: a second copy of the same file works at once.
    const pages = await onlineBackup(file, path.join(root, 'copy2.db'), new AbortController().signal);
    expect(pages).toBeGreaterThan(1);
    await expect(
      onlineBackup(file, path.join(root, 'copy3.db'), AbortSignal.abort(new Error('before start'))),
    ).rejects.toThrow('before start');
  });
});
