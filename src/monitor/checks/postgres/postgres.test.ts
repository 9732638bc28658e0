import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../../../../test/support/postgres.js';
import { probeContext, runCheckDriverContract } from '../contract.js';
import { postgresCheck, postgresCheckSchema } from './index.js';

/** One server for the whole file (it takes seconds to start); a failure to start fails the tests. */
let started: Promise<TestPostgres> | undefined;
const server = () => {
  started ??= startPostgres();
  return started;
};
let pg: TestPostgres;
beforeAll(async () => {
  pg = await server();
}, 120_000);
afterAll(async () => {
  await (await started)?.stop();
});

const parse = (input: Record<string, unknown>) =>
  postgresCheckSchema({ baseDir: '/' }).parse({ type: 'postgres', ...input });
const probe = (input: Record<string, unknown>) =>
  postgresCheck.probe(parse({ url: pg.url, ...input }), probeContext());
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

runCheckDriverContract('postgres', postgresCheck, async () => {
  const { url, password } = await server();
  return {
    up: parse({ url, query: 'select 1' }),
    down: parse({ url, query: 'select * from no_such_table' }),
    hang: parse({ url, query: 'select pg_sleep(3600)' }),
    secrets: [password],
  };
});

describe('postgres check', () => {
  it('runs the query and reports the first value and the round trip', async () => {
    const result = await probe({});
    expect(result).toMatchObject({ status: 'up', message: 'query returned "1"' });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('compares the first value with expect as PostgreSQL writes it', async () => {
    expect((await probe({ query: 'select true', expect: 't' })).status).toBe('up');
    expect((await probe({ query: 'select null::int', expect: 'null' })).status).toBe('up');
    expect((await probe({ query: 'select 2::bigint', expect: '2' })).status).toBe('up');
    expect(await probe({ query: 'select 2', expect: '1' })).toMatchObject({
      status: 'down',
      message: 'expected "1", query returned "2"',
    });
    expect(await probe({ query: 'select 1 where false', expect: '1' })).toMatchObject({
      status: 'down',
      message: 'expected "1", query returned no rows',
    });
  });

  it('reports a wrong password as an authentication failure without any password', async () => {
    const wrong = 'not-the-pw-4711';
    const result = await probe({ url: pg.url.replace(`:${pg.password}@`, `:${wrong}@`) });
    expect(result.status).toBe('down');
    expect(result.message).toMatch(/authentication failed/);
    for (const secret of [wrong, pg.password]) expect(JSON.stringify(result)).not.toContain(secret);
  });

  it('reports a missing database and a closed port as failed connections', async () => {
    const missing = await probe({ url: pg.url.replace(/\/postgres$/, '/nope') });
    expect(missing).toMatchObject({
      status: 'down',
      message: 'cannot connect: database "nope" does not exist',
    });
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as net.AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const refused = await probe({ url: `postgres://steward:${pg.password}@127.0.0.1:${port}/postgres` });
    expect(refused.status).toBe('down');
    expect(refused.message).toMatch(/^cannot connect: .*ECONNREFUSED/);
    expect(JSON.stringify(refused)).not.toContain(pg.password);
  });

  it('cancels the query on the server when the probe is aborted', async () => {
    const controller = new AbortController();
    const pending = postgresCheck.probe(
      parse({ url: pg.url, query: 'select pg_sleep(3600)' }),
      probeContext(500, controller.signal),
    );
    const count = () =>
      pg.psql(
        pg.url,
        "select count(*) from pg_stat_activity where query like '%pg_sleep(3600)%' and pid <> pg_backend_pid()",
      );
    for (let i = 0; i < 100 && (await count()) === '0'; i++) await sleep(50);
    expect(await count()).toBe('1');
    controller.abort();
    expect(await pending).toEqual({ status: 'down', message: 'timed out after 500 ms' });
    let left = await count();
    for (let i = 0; i < 50 && left !== '0'; i++) {
      await sleep(100);
      left = await count();
    }
    expect(left).toBe('0');
  });
});

describe('postgres check schema', () => {
  it('applies the defaults', () => {
    const config = parse({ url: 'postgres://u:p@db/app' });
    expect(config).toMatchObject({ query: 'select 1', interval: 30_000, failure_threshold: 2 });
    expect(config.expect).toBeUndefined();
  });

  it('refuses bad input', () => {
    for (const bad of [
      {},
      { url: 'mysql://u@h/db' },
      { url: 'postgres://h/db', query: '' },
      { url: 'postgres://h/db', name: 'x' },
    ]) {
      expect(
        postgresCheckSchema({ baseDir: '/' }).safeParse({ type: 'postgres', ...bad }).success,
        JSON.stringify(bad),
      ).toBe(false);
    }
  });
});
