import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../../../../test/support/postgres.js';
import { drillContext, materialize, sourceContext, tempDir } from '../test-support.js';
import { pgConnection, redact } from './connection.js';
import { postgresSource } from './index.js';
import { type PostgresSourceConfig, postgresSourceSchema } from './schema.js';

const parse = (written: Record<string, unknown>): PostgresSourceConfig =>
  postgresSourceSchema({ baseDir: '/' }).parse({ type: 'postgres', name: 'app', ...written });

describe('pgConnection', () => {
  it('moves the password out of the URL, decoded', () => {
    const c = pgConnection('postgres://app:p%40ss%3Aw@db.local:5433/shop?sslmode=require');
    expect(c.dbname).toBe('postgres://app@db.local:5433/shop?sslmode=require');
    expect(c.env).toEqual({ PGPASSWORD: 'p@ss:w' });
    expect(c.secrets).toContain('p@ss:w');
  });

  it('handles ?password=, multiple hosts and a database override', () => {
    const c = pgConnection('postgresql://app@h1:5432,h2:5433/one?password=s3cret&connect_timeout=5', 'two');
    expect(c.dbname).toBe('postgresql://app@h1:5432,h2:5433/two?connect_timeout=5');
    expect(c.env).toEqual({ PGPASSWORD: 's3cret' });
  });

  it('leaves libpq defaults alone without a URL', () => {
    expect(pgConnection(undefined)).toEqual({ dbname: undefined, env: {}, secrets: [] });
    expect(pgConnection(undefined, 'app').dbname).toBe('app');
  });

  it('redacts known secrets and URL passwords', () => {
    expect(redact('bad hunter2 at postgres://u:other@h/db password=x1', ['hunter2'])).toBe(
      'bad [redacted] at postgres://u:[redacted]@h/db password=[redacted]',
    );
  });
});

describe('postgres source', () => {
  let pg: TestPostgres;
  let root: string;
  let source: string;

  beforeAll(async () => {
    pg = await startPostgres();
    root = await tempDir('steward-pg-src-');
    source = await pg.createDatabase('app');
    await pg.psql(
      source,
      `CREATE TABLE users (id serial PRIMARY KEY, email text UNIQUE, created timestamptz DEFAULT now());
       INSERT INTO users (email) SELECT 'u' || g || '@example.org' FROM generate_series(1, 300) g;
       CREATE TABLE events (id bigserial PRIMARY KEY, user_id int REFERENCES users, payload jsonb);
       INSERT INTO events (user_id, payload) SELECT 1 + g % 300, jsonb_build_object('n', g) FROM generate_series(1, 1000) g;
       CREATE VIEW active AS SELECT * FROM users WHERE id < 10;`,
    );
  }, 60_000);
  afterAll(async () => {
    await pg?.stop();
    await rm(root, { recursive: true, force: true });
  });
  const scratchDir = () => mkdtemp(path.join(root, 'scratch-'));

  async function dump(config: PostgresSourceConfig, name: string) {
    const scratch = await scratchDir();
    const snap = await postgresSource.snapshot(config, sourceContext(scratch));
    const out = path.join(root, name);
    const entries = await materialize(snap.entries, out);
    await snap.cleanup();
    expect(await readdir(scratch)).toEqual([]);
    return { snap, entries, out };
  }

  it('round-trips through pg_dump and pg_restore into another database', async () => {
    const { snap, entries, out } = await dump(parse({ url: source }), 'round-trip');
    expect(entries.map((e) => [e.path, e.mode])).toEqual([['app.dump', 0o600]]);
    expect(snap.meta).toMatchObject({ database: 'app', serverVersion: expect.stringMatching(/^15\./) });

    const copy = await pg.createDatabase('app_copy');
    await postgresSource.restoreInPlace(parse({ url: copy }), out, drillContext(out));
    const query =
      'SELECT count(*), sum(id) FROM users; SELECT count(*), sum((payload->>$$n$$)::int) FROM events;';
    expect(await pg.psql(copy, query)).toBe(await pg.psql(source, query));
    expect(await pg.psql(copy, 'SELECT count(*) FROM active')).toBe('9');

    // Restoring again over existing objects works (--clean --if-exists), in one transaction.
    await pg.psql(copy, 'DELETE FROM events');
    await postgresSource.restoreInPlace(parse({ url: copy }), out, drillContext(out));
    expect(await pg.psql(copy, 'SELECT count(*) FROM events')).toBe('1000');
  });

  it('drills with and without a scratch database', async () => {
    const { out } = await dump(parse({ url: source }), 'drill');
    const listOnly = await postgresSource.drillCheck(parse({ url: source }), out, drillContext(out));
    expect(listOnly.ok).toBe(true);
    expect(listOnly.message).toMatch(/^pg_restore --list ok: \d+ TOC entries, 2 tables with data/);

    const scratchDatabaseUrl = await pg.createDatabase('drill_scratch');
    const full = await postgresSource.drillCheck(
      parse({ url: source }),
      out,
      drillContext(out, { scratchDatabaseUrl }),
    );
    expect(full).toMatchObject({ ok: true, details: { tables: 2, rows: 1300 } });
    expect(full.message).toMatch(/2 tables, 1300 rows \(dumped from PostgreSQL 15/);

    await writeFile(path.join(out, 'app.dump'), 'not a dump');
    const bad = await postgresSource.drillCheck(parse({ url: source }), out, drillContext(out));
    expect(bad.ok).toBe(false);
    expect(bad.message).toMatch(/pg_restore --list exited with code 1/);
  });

  it('passes database and extra options to pg_dump', async () => {
    const other = source.replace(/\/app$/, '/postgres');
    const config = parse({ url: other, database: 'app', options: ['--exclude-table-data=events'] });
    const { out } = await dump(config, 'options');
    const scratchDatabaseUrl = await pg.createDatabase('options_scratch');
    const check = await postgresSource.drillCheck(config, out, drillContext(out, { scratchDatabaseUrl }));
    expect(check.details).toMatchObject({ database: 'app', tables: 2, rows: 300 });
  });

  it('rejects options that would change the dump format or file', () => {
    expect(() => parse({ options: ['-Fp'] })).toThrow();
    expect(() => parse({ options: ['--file=/tmp/x'] })).toThrow();
  });

  it('fails a wrong password with a readable error that does not contain it', async () => {
    const wrong = 'Wr0ng-S3cret-xyz';
    const url = source.replace(`:${pg.password}@`, `:${wrong}@`);
    const scratch = await scratchDir();
    const error = await postgresSource
      .snapshot(parse({ url }), sourceContext(scratch))
      .catch((err: Error) => err);
    expect(error).toBeInstanceOf(Error);
    const text = `${(error as Error).message} ${JSON.stringify((error as { details?: unknown }).details)}`;
    expect(text).toMatch(/postgres source app: pg_dump exited with code 1/);
    expect(text).toMatch(/password authentication failed for user "steward"/);
    expect(text).not.toContain(wrong);
    expect(await readdir(scratch)).toEqual([]);
  });

  it('stops pg_dump when aborted', async () => {
    const slow = path.join(root, 'slow-pg_dump');
    await writeFile(slow, '#!/bin/sh\nexec sleep 30\n');
    await chmod(slow, 0o755);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    await expect(
      postgresSource.snapshot(
        parse({ url: source, pg_dump: slow }),
        sourceContext(await scratchDir(), controller.signal),
      ),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
