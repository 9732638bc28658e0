import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeContext, runCheckDriverContract } from '../contract.js';
import { SQLITE_PROBE_MARKER, sqliteCheck, sqliteCheckSchema } from './index.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'steward-sqlite-'));
  const db = new Database(path.join(tmp, 'core.db'));
  db.exec(
    "CREATE TABLE kv (k TEXT PRIMARY KEY, v); INSERT INTO kv VALUES ('big', 9007199254740993), ('nil', NULL), ('blob', x'cafe')",
  );
  db.close();
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const parse = (input: Record<string, unknown>) =>
  sqliteCheckSchema({ baseDir: tmp }).parse({ type: 'sqlite', path: './core.db', ...input });
const probe = (input: Record<string, unknown>) => sqliteCheck.probe(parse(input), probeContext());

const HANG = 'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c';

/** Probe processes of this test process still alive (zombies aside), found by the marker in their argv. */
function probeChildren(): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) !== process.pid || state === 'Z') continue;
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(SQLITE_PROBE_MARKER))
        found.push(Number(name));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

runCheckDriverContract('sqlite', sqliteCheck, async () => ({
  up: parse({}),
  down: parse({ path: 'missing.db' }),
  hang: parse({ query: HANG }),
}));

describe('sqlite check', () => {
  it('runs the query and reports its first value and query time', async () => {
    const result = await probe({ query: 'select count(*) from kv' });
    expect(result).toMatchObject({ status: 'up', message: 'query returned "3"' });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('compares the first column of the first row with expect, as text', async () => {
    expect((await probe({ query: 'pragma quick_check', expect: 'ok' })).status).toBe('up');
    expect(
      (await probe({ query: "select v from kv where k = 'big'", expect: '9007199254740993' })).status,
    ).toBe('up');
    expect((await probe({ query: "select v from kv where k = 'nil'", expect: 'null' })).status).toBe('up');
    expect((await probe({ query: "select v from kv where k = 'blob'", expect: 'cafe' })).status).toBe('up');
    expect(await probe({ query: 'select 2', expect: '1' })).toMatchObject({
      status: 'down',
      message: 'expected "1", query returned "2"',
    });
    expect(await probe({ query: "select v from kv where k = 'none'", expect: '1' })).toMatchObject({
      status: 'down',
      message: 'expected "1", query returned no rows',
    });
  });

  it('reports missing files, broken files and bad queries as down', async () => {
    expect(await probe({ path: 'missing.db' })).toEqual({
      status: 'down',
      message: `no such database file: ${path.join(tmp, 'missing.db')}`,
    });
    await writeFile(path.join(tmp, 'junk.db'), 'this is not an SQLite database, not at all, no'.repeat(20));
    expect((await probe({ path: 'junk.db' })).message).toMatch(/not a database/);
    expect((await probe({ query: 'select * from nope' })).message).toBe('query failed: no such table: nope');
  });

  it('opens the database read-only', async () => {
    const result = await probe({ query: "insert into kv values ('x', 1)" });
    expect(result).toMatchObject({ status: 'down', message: expect.stringMatching(/readonly/) });
  });

  it('gives up on a locked database within the timeout', async () => {
    const writer = new Database(path.join(tmp, 'core.db'));
    try {
      writer.exec("BEGIN EXCLUSIVE; UPDATE kv SET v = 1 WHERE k = 'nil'");
      const result = await sqliteCheck.probe(parse({ query: 'select count(*) from kv' }), probeContext(300));
      expect(result.status).toBe('down');
      expect(result.message).toMatch(/database is locked|timed out after 300 ms/);
    } finally {
      writer.exec('ROLLBACK');
      writer.close();
    }
  });

  it('kills the runaway query on abort, leaving no process behind', async () => {
    const controller = new AbortController();
    const pending = sqliteCheck.probe(parse({ query: HANG }), probeContext(300, controller.signal));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(probeChildren()).toHaveLength(1);
    controller.abort();
    expect(await pending).toEqual({ status: 'down', message: 'timed out after 300 ms' });
    expect(probeChildren()).toEqual([]);
  });
});

describe('sqlite check schema', () => {
  it('applies the defaults and resolves the path', () => {
    expect(parse({})).toMatchObject({ path: path.join(tmp, 'core.db'), query: 'select 1' });
    expect(parse({}).timeout).toBeUndefined();
    expect(parse({}).expect).toBeUndefined();
  });

  it('refuses bad input', () => {
    for (const bad of [
      { path: undefined },
      { query: '' },
      { expect: 1 },
      { name: 'db' },
      { readonly: false },
    ]) {
      const result = sqliteCheckSchema({ baseDir: tmp }).safeParse({ type: 'sqlite', path: 'a.db', ...bad });
      expect(result.success, JSON.stringify(bad)).toBe(false);
    }
  });
});
