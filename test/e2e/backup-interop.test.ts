import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreArchive, runBackup, runDrill, verifyArchives } from '../../src/backup/index.js';
import { SIDECAR_SUFFIX } from '../../src/backup/naming.js';
import { stockDecryptExtract } from '../support/backup-fixture.js';
import { onlyArchive, sha, useBackupSuite, writeMixedFiles } from '../support/backup-suite.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { RCLONE_TEST_CONFIG, type RcloneWebdav, startRcloneWebdav } from '../support/rclone.js';

/**
 * Interop of the backup capability, in process (split from backup-failures.test.ts): PostgreSQL archives
 * that stock age, tar and pg_restore open, drills into a scratch database, and an rclone target.
 */
const { base, box, encryption, key } = useBackupSuite('steward-backup-interop-');

describe('PostgreSQL interop', () => {
  let pg: TestPostgres;

  beforeAll(async () => {
    pg = await startPostgres();
  }, 180_000);

  afterAll(async () => {
    await pg?.stop();
  });

  it('an archive restores with stock age, tar and pg_restore; a drill restores into a scratch database and drops it', async () => {
    const srcUrl = await pg.createDatabase('shop');
    await pg.psql(
      srcUrl,
      `CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, note text);
       INSERT INTO customers VALUES (1, 'Ada', 'o''brien'), (2, 'Grace', NULL), (3, 'Linus', 'ünïcode ✓');
       CREATE TABLE orders (id serial PRIMARY KEY, customer int REFERENCES customers (id), total numeric(10, 2),
         placed timestamptz DEFAULT '2026-01-02T03:04:05Z');
       INSERT INTO orders (customer, total) VALUES (1, 9.99), (1, 100.00), (3, 0.01);`,
    );
    const contents = (url: string) =>
      pg.psql(
        url,
        `SELECT id, name, coalesce(note, '<null>') FROM customers ORDER BY id;
         SELECT id, customer, total, placed FROM orders ORDER BY id;`,
      );
    const expected = await contents(srcUrl);
    expect(expected).toContain('Ada');

    const b = box('pg', {
      encryption: encryption(),
      targets: { local: { type: 'local', path: './backups' } },
      jobs: { db: { sources: [{ type: 'postgres', name: 'shop', url: srcUrl }], targets: ['local'] } },
    });
    const { run, archives } = await runBackup(b.ctx, { job: 'db' });
    expect(run.state, run.error ?? '').toBe('completed');
    expect(JSON.stringify(run)).not.toContain(pg.password);

    // Without Steward: Debian's age, GNU tar, PostgreSQL's pg_restore.
    const out = path.join(b.dir, 'stock');
    stockDecryptExtract(key().file, onlyArchive(path.join(b.dir, 'backups')), out);
    const dump = path.join(out, 'sources/shop/shop.dump');
    expect(fs.existsSync(dump)).toBe(true);
    expect(fs.readFileSync(path.join(out, 'steward-manifest.json'), 'utf8')).not.toContain(pg.password);
    const restoredUrl = await pg.createDatabase('shop_restored');
    execFileSync('pg_restore', ['--no-owner', '--exit-on-error', `--dbname=${restoredUrl}`, dump], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(await contents(restoredUrl)).toBe(expected);

    const drill = await runDrill(b.ctx, { job: 'db' });
    expect(drill.result, drill.error ?? '').toBe('passed');
    expect(drill.checks.map((c) => c.source)).toEqual(['(archive)', 'shop']);
    const check = drill.checks.find((c) => c.source === 'shop');
    expect(check?.ok).toBe(true);
    expect(check?.message).toMatch(/pg_restore into a scratch database ok: 2 tables, 6 rows/);
    const databases = (await pg.psql(pg.url, 'SELECT datname FROM pg_database')).split('\n');
    expect(databases).toEqual(expect.arrayContaining(['shop', 'shop_restored']));
    expect(databases.filter((d) => d.startsWith('steward_drill_'))).toEqual([]);

    const [point] = b.store.recoveryPoints.list({ job: 'db' });
    expect(point).toMatchObject({
      id: drill.id,
      result: 'passed',
      archiveId: archives[0]?.id,
      target: 'local',
    });
    expect(typeof point?.rtoMs).toBe('number');
    expect(point?.rtoMs).toBeGreaterThan(0);
    // The drill's scratch directory is gone too.
    const tmp = path.join(b.dir, 'data/tmp');
    expect(fs.existsSync(tmp) ? fs.readdirSync(tmp).filter((d) => d.startsWith('drill-')) : []).toEqual([]);
  }, 120_000);

  it('backup and drill never put the password on a command line (user:password@ and ?password= URLs)', async () => {
    const url = await pg.createDatabase('argv');
    await pg.psql(url, 'CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1), (2);');
    const u = new URL(url);
    const queryUrl = `postgres://${u.username}@${u.host}${u.pathname}?password=${encodeURIComponent(pg.password)}`;
    // Wrappers in front of the PostgreSQL client tools log each command line (what `ps` shows).
    const dir = path.join(base, 'pg-argv');
    const wrappers = path.join(dir, 'bin');
    const log = path.join(dir, 'argv.log');
    fs.mkdirSync(wrappers, { recursive: true });
    for (const tool of ['psql', 'pg_dump', 'pg_restore']) {
      const real = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
      fs.writeFileSync(
        path.join(wrappers, tool),
        `#!/bin/sh\nprintf '%s\\n' "${tool} $*" >> '${log}'\nexec '${real}' "$@"\n`,
        { mode: 0o755 },
      );
    }
    const b = box('pg-argv', {
      encryption: encryption(),
      targets: { local: { type: 'local', path: './backups' } },
      jobs: {
        userinfo: { sources: [{ type: 'postgres', name: 'argv', url }], targets: ['local'] },
        query: { sources: [{ type: 'postgres', name: 'argv', url: queryUrl }], targets: ['local'] },
      },
    });
    const savedPath = process.env.PATH;
    process.env.PATH = `${wrappers}:${savedPath ?? ''}`;
    try {
      for (const job of ['userinfo', 'query']) {
        const { run } = await runBackup(b.ctx, { job });
        expect(run.state, `${job}: ${run.error ?? ''}`).toBe('completed');
        const drill = await runDrill(b.ctx, { job });
        expect(drill.result, `${job}: ${drill.error ?? ''}`).toBe('passed');
      }
    } finally {
      process.env.PATH = savedPath;
    }
    const lines = fs.readFileSync(log, 'utf8').trim().split('\n');
    // The wrappers saw the dump, the scratch database's CREATE/DROP and the drill's restore.
    expect(lines.some((l) => l.startsWith('pg_dump '))).toBe(true);
    expect(lines.some((l) => /^psql .*CREATE DATABASE/.test(l))).toBe(true);
    expect(lines.some((l) => l.startsWith('pg_restore ') && l.includes('steward_drill_'))).toBe(true);
    expect(lines.filter((l) => l.includes(pg.password))).toEqual([]);
  }, 120_000);
});

describe('rclone target', () => {
  let rclone: RcloneWebdav;
  const served = path.join(base, 'served');

  beforeAll(async () => {
    fs.mkdirSync(served);
    rclone = await startRcloneWebdav(served);
  });

  afterAll(async () => {
    await rclone?.stop();
  });

  it('writes to a local and an rclone target, verifies both, and restores and drills from rclone alone', async () => {
    const site = path.join(base, 'rclone/site');
    writeMixedFiles(site);
    const backups = (requireMount: boolean) => ({
      encryption: encryption(),
      targets: {
        local: { type: 'local', path: './local', require_mount: requireMount },
        offsite: { type: 'rclone', remote: `${rclone.remote}steward`, config_file: RCLONE_TEST_CONFIG },
      },
      jobs: {
        web: { sources: [{ type: 'path', name: 'site', path: './site' }], targets: ['local', 'offsite'] },
      },
    });
    const b = box('rclone', backups(false));
    const { run, archives } = await runBackup(b.ctx, { job: 'web' });
    expect(run.state, run.error ?? '').toBe('completed');
    expect(archives.map((a) => [a.target, a.state]).sort()).toEqual([
      ['local', 'validated'],
      ['offsite', 'validated'],
    ]);

    const name = path.basename(onlyArchive(path.join(b.dir, 'local')));
    const remoteDir = path.join(served, 'steward');
    expect(fs.readdirSync(remoteDir).sort()).toEqual([name, `${name}${SIDECAR_SUFFIX}`]);
    const remoteCopy = fs.readFileSync(path.join(remoteDir, name));
    expect(sha(remoteCopy)).toBe(sha(fs.readFileSync(path.join(b.dir, 'local', name))));
    expect(fs.readFileSync(path.join(remoteDir, `${name}${SIDECAR_SUFFIX}`), 'utf8')).toBe(
      `${sha(remoteCopy)}  ${name}\n`,
    );

    const verified = await verifyArchives(b.ctx, { ref: run.id });
    expect(verified.map((v) => [v.target, v.ok, v.mode, v.error]).sort()).toEqual([
      ['local', true, 'full', null],
      ['offsite', true, 'full', null],
    ]);

    // The local disk is gone (an unmounted USB disk): restore and drill must fetch from rclone.
    const unplugged = b.withBackups(backups(true), 'unplugged');
    const to = path.join(b.dir, 'restored');
    const restored = await restoreArchive(unplugged, { ref: run.id, to });
    expect(restored.target).toBe('offsite');
    expect(fs.readFileSync(path.join(to, 'sources/site/readings.log'))).toEqual(
      fs.readFileSync(path.join(site, 'readings.log')),
    );
    expect(fs.readFileSync(path.join(to, 'sources/site/random.bin'))).toEqual(
      fs.readFileSync(path.join(site, 'random.bin')),
    );
    expect(fs.readlinkSync(path.join(to, 'sources/site/current.log'))).toBe('readings.log');

    const drill = await runDrill(unplugged, { job: 'web' });
    expect(drill.result, drill.error ?? '').toBe('passed');
    expect(drill.target).toBe('offsite');
    expect(drill.archiveId).toBe(archives.find((a) => a.target === 'offsite')?.id);
  }, 120_000);
});
