import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmod,
  cp,
  lstat,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  truncate,
  utimes,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDocker, type TestDocker } from '../../../test/support/docker.js';
import { startPostgres, type TestPostgres } from '../../../test/support/postgres.js';
import type { ArchiveEntry, DrillContext } from '../types.js';
import { commandSourceSchema } from './command/schema.js';
import { dockerVolumeSourceSchema } from './docker-volume/index.js';
import {
  type SourceConfig,
  type SourceConfigOf,
  type SourceType,
  sourceDriverFor,
  sourceDrivers,
} from './index.js';
import { pathSourceSchema } from './path/schema.js';
import { postgresSourceSchema } from './postgres/schema.js';
import { sqliteSourceSchema } from './sqlite/schema.js';
import { drillContext, materialize, sourceContext, tempDir } from './test-support.js';

/**
 * One contract for every registered source driver: snapshot → well-formed entries and a clean
 * scratch dir → restoreInPlace undoes a change → drillCheck passes on good data and fails on
 * corrupted data. A driver without a fixture here fails the type check (and the test).
 */
interface Fixture<C extends SourceConfig> {
  config: C;
  /** Everything that must come back after a restore, comparable with toEqual. */
  fingerprint(): Promise<unknown>;
  /** Change the live data, so that the restore has something to undo. */
  mutate(): Promise<void>;
  /** Damage a restored copy so that the drill must notice. */
  corrupt(extractedDir: string): Promise<void>;
  drillExtras?(): Promise<Partial<DrillContext>>;
}

interface Env {
  root: string;
  pg: TestPostgres;
  dk: TestDocker;
}

const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Every object under `dir` (not `dir` itself) with type, mode, mtime, content hash, link target. */
async function treeFingerprint(dir: string, rel = ''): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const name of (await readdir(path.join(dir, rel))).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    const abs = path.join(dir, r);
    const st = await lstat(abs);
    if (st.isSymbolicLink()) out.push({ r, link: await readlink(abs) });
    else if (st.isDirectory()) {
      out.push({ r, dir: true, mode: st.mode & 0o7777, mtime: Math.floor(st.mtimeMs / 1000) });
      out.push(...(await treeFingerprint(dir, r)));
    } else out.push({ r, mode: st.mode & 0o7777, mtime: st.mtimeMs, sha: sha(await readFile(abs)) });
  }
  return out;
}

const fixtures: { [T in SourceType]: (env: Env) => Promise<Fixture<SourceConfigOf<T>>> } = {
  async sqlite({ root }) {
    const file = path.join(root, 'app.db');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.exec(
      'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)',
    );
    const insert = db.prepare('INSERT INTO notes (body) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run(`note ${i} ${'x'.repeat(50)}`);
    })();
    db.prepare("INSERT INTO users (name) VALUES ('ada'), ('grace')").run();
    db.close();
    const read = (sql: string) => {
      const conn = new Database(file, { readonly: true });
      try {
        return conn.prepare(sql).all();
      } finally {
        conn.close();
      }
    };
    return {
      config: sqliteSourceSchema({ baseDir: root }).parse({ type: 'sqlite', name: 'app-db', path: 'app.db' }),
      fingerprint: async () => [
        read('SELECT * FROM users ORDER BY id'),
        read('SELECT * FROM notes ORDER BY id'),
      ],
      async mutate() {
        const conn = new Database(file);
        conn.exec("DELETE FROM notes WHERE id > 10; INSERT INTO users (name) VALUES ('mallory')");
        conn.close();
      },
      corrupt: (dir) => truncate(path.join(dir, 'app.db'), 20_000),
    };
  },

  async postgres({ pg }) {
    const url = await pg.createDatabase('contract_src');
    await pg.psql(
      url,
      `CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, price numeric(8,2));
       INSERT INTO items (name, price) SELECT 'item ' || g, g * 1.5 FROM generate_series(1, 500) g;
       CREATE TABLE tags (item_id int REFERENCES items, tag text);
       INSERT INTO tags VALUES (1, 'red'), (2, 'blue');`,
    );
    let drills = 0;
    return {
      config: postgresSourceSchema({ baseDir: '/' }).parse({ type: 'postgres', name: 'shop', url }),
      fingerprint: async () =>
        pg
          .psql(
            url,
            `SELECT (SELECT json_agg(i ORDER BY id) FROM items i), (SELECT json_agg(t ORDER BY item_id) FROM tags t),
                  (SELECT last_value FROM items_id_seq)`,
          )
          .catch(() => 'query failed: a table is missing'),
      async mutate() {
        await pg.psql(url, 'DELETE FROM tags; DELETE FROM items WHERE id > 3; DROP TABLE tags;');
      },
      corrupt: (dir) => writeFile(path.join(dir, 'shop.dump'), 'PGDMP but not really a dump\n'),
      drillExtras: async () => ({
        scratchDatabaseUrl: await pg.createDatabase(`contract_drill_${++drills}`),
      }),
    };
  },

  async path({ root }) {
    const src = path.join(root, 'files');
    execFileSync('mkdir', ['-p', `${src}/docs/deep`, `${src}/empty`]);
    await writeFile(path.join(src, 'a.txt'), 'alpha\n');
    await writeFile(path.join(src, 'docs/b.md'), '# b\n'.repeat(1000));
    await writeFile(path.join(src, 'docs/deep/c.bin'), Buffer.from([0, 1, 2, 255]));
    await symlink('../a.txt', path.join(src, 'docs/link'));
    await chmod(path.join(src, 'a.txt'), 0o640);
    await chmod(path.join(src, 'docs/deep'), 0o750);
    const when = new Date('2021-06-01T12:00:00Z');
    for (const p of ['a.txt', 'docs/b.md', 'docs/deep/c.bin', 'docs/deep', 'docs', 'empty']) {
      await utimes(path.join(src, p), when, when);
    }
    return {
      config: pathSourceSchema({ baseDir: root }).parse({ type: 'path', name: 'files', path: 'files' }),
      fingerprint: () => treeFingerprint(src),
      async mutate() {
        await writeFile(path.join(src, 'a.txt'), 'changed\n');
        await chmod(path.join(src, 'a.txt'), 0o600);
        await rm(path.join(src, 'docs/deep/c.bin'));
        await rm(path.join(src, 'docs/link'));
        await symlink('elsewhere', path.join(src, 'docs/link'));
        await rm(path.join(src, 'empty'), { recursive: true });
      },
      corrupt: (dir) => rm(dir, { recursive: true, force: true }),
    };
  },

  async command({ root }) {
    const src = path.join(root, 'app-data');
    execFileSync('mkdir', ['-p', `${src}/sub`]);
    await writeFile(path.join(src, 'data.txt'), 'payload 1\npayload 2\n');
    await writeFile(path.join(src, 'sub/x.txt'), 'x\n');
    return {
      config: commandSourceSchema({ baseDir: root }).parse({
        type: 'command',
        name: 'export',
        run: `cp -R ${q(src)}/. {dir}/`,
        restore: `cp -R {dir}/. ${q(src)}/`,
        check: "grep -q '^payload' {dir}/data.txt",
      }),
      fingerprint: async () => [
        await readFile(path.join(src, 'data.txt'), 'utf8'),
        await readFile(path.join(src, 'sub/x.txt'), 'utf8').catch(() => 'missing'),
      ],
      async mutate() {
        await writeFile(path.join(src, 'data.txt'), 'lost\n');
        await rm(path.join(src, 'sub/x.txt'));
      },
      corrupt: (dir) => writeFile(path.join(dir, 'data.txt'), 'garbage\n'),
    };
  },

  async 'docker-volume'({ dk }) {
    const volume = 'contract-vol';
    const docker = (...args: string[]) =>
      execFileSync('docker', args, { env: { ...process.env, ...dk.env }, encoding: 'utf8' }).trim();
    const inVolume = (script: string) =>
      docker(
        'run',
        '--rm',
        '--network',
        'none',
        '-v',
        `${volume}:/v`,
        dk.image,
        'sh',
        '-c',
        `set -e; cd /v; ${script}`,
      );
    docker('volume', 'create', volume);
    inVolume(`mkdir -p docs/deep empty
echo alpha > a.txt
head -c 3000 /dev/zero > docs/b.md
echo deep > docs/deep/c.txt
ln -s ../a.txt docs/link
chmod 640 a.txt
chmod 750 docs/deep`);
    // We run as root next to the daemon: the volume's content is readable at its mountpoint.
    const mountpoint = docker('volume', 'inspect', '--format', '{{.Mountpoint}}', volume);
    return {
      config: dockerVolumeSourceSchema({ baseDir: '/' }).parse({
        type: 'docker-volume',
        name: 'vol',
        volume,
        helper_image: dk.image,
        host: dk.host,
      }),
      // The archive keeps whole seconds, and the helper's busybox tar sets a directory's mtime
      // before it fills the directory: file mtimes compare to the second, directory mtimes not at all.
      fingerprint: async () =>
        (await treeFingerprint(mountpoint)).map((item) => {
          const { mtime, ...rest } = item as { mtime?: number; dir?: boolean };
          return rest.dir || mtime === undefined ? rest : { ...rest, mtime: Math.floor(mtime / 1000) };
        }),
      async mutate() {
        inVolume(
          'echo changed > a.txt; chmod 600 a.txt; rm docs/deep/c.txt; rm docs/link; ln -s elsewhere docs/link',
        );
      },
      // The drill walks the tree and reads every file; as root only a missing tree fails it.
      corrupt: (dir) => rm(dir, { recursive: true, force: true }),
    };
  },
};

function expectWellFormed(entries: ArchiveEntry[]): void {
  const directories = new Set<string>();
  const seen = new Set<string>();
  for (const entry of entries) {
    const segments = entry.path.split('/');
    expect(
      segments.every((s) => s !== '' && s !== '.' && s !== '..'),
      entry.path,
    ).toBe(true);
    expect(seen.has(entry.path), `duplicate ${entry.path}`).toBe(false);
    seen.add(entry.path);
    const parent = path.posix.dirname(entry.path);
    if (parent !== '.') expect(directories.has(parent), `${entry.path} before its directory`).toBe(true);
    if (entry.type === 'directory') directories.add(entry.path);
    expect(Number.isInteger(entry.mode) && entry.mode >= 0 && entry.mode <= 0o7777).toBe(true);
    expect(Number.isNaN(entry.mtime.getTime())).toBe(false);
    if (entry.type === 'file') expect(entry.open).toBeTypeOf('function');
    else expect(entry.size).toBe(0);
    if (entry.type === 'symlink') expect(entry.linkname).toBeTypeOf('string');
  }
}

let pg: TestPostgres;
let dk: TestDocker;
beforeAll(async () => {
  // Both at once; each is kept as soon as it is up, so that afterAll stops it whatever the other did.
  const started = await Promise.allSettled([
    startPostgres().then((p) => {
      pg = p;
    }),
    startDocker().then((d) => {
      dk = d;
    }),
  ]);
  for (const s of started) if (s.status === 'rejected') throw s.reason;
}, 120_000);
afterAll(async () => {
  await Promise.all([pg?.stop(), dk?.stop()]);
});

describe.each(Object.keys(sourceDrivers) as SourceType[])('source driver %s', (type) => {
  let root: string;
  let fixture: Fixture<SourceConfig>;
  let extracted: string;

  beforeAll(async () => {
    root = await tempDir(`steward-contract-${type}-`);
    fixture = (await fixtures[type]({ root, pg, dk })) as Fixture<SourceConfig>;
    extracted = path.join(root, 'extracted');
  }, 30_000);
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('has a fixture', () => {
    expect(fixtures[type]).toBeTypeOf('function');
    expect(sourceDrivers[type].type).toBe(type);
  });

  it('snapshots into well-formed entries and cleans up its scratch', async () => {
    const scratch = await tempDir();
    const snap = await sourceDriverFor(fixture.config).snapshot(fixture.config, sourceContext(scratch));
    try {
      const entries = await materialize(snap.entries, extracted);
      expect(entries.length).toBeGreaterThan(0);
      expectWellFormed(entries);
    } finally {
      await snap.cleanup();
    }
    expect(await readdir(scratch)).toEqual([]);
    await rm(scratch, { recursive: true });
  });

  it('restores in place what the snapshot held', async () => {
    const before = await fixture.fingerprint();
    await fixture.mutate();
    expect(await fixture.fingerprint()).not.toEqual(before);
    const scratch = await tempDir();
    await sourceDriverFor(fixture.config).restoreInPlace(fixture.config, extracted, drillContext(scratch));
    expect(await fixture.fingerprint()).toEqual(before);
    await rm(scratch, { recursive: true });
  });

  it('drill-checks good data as ok and corrupted data as not ok', async () => {
    const driver = sourceDriverFor(fixture.config);
    const scratch = await tempDir();
    const good = await driver.drillCheck(
      fixture.config,
      extracted,
      drillContext(scratch, await fixture.drillExtras?.()),
    );
    expect(good.ok, good.message).toBe(true);
    expect(good.message).not.toBe('');

    const broken = path.join(root, 'broken');
    await cp(extracted, broken, { recursive: true, verbatimSymlinks: true });
    await fixture.corrupt(broken);
    const bad = await driver
      .drillCheck(fixture.config, broken, drillContext(scratch, await fixture.drillExtras?.()))
      .catch((err: unknown) => ({ ok: false, message: String(err) }));
    expect(bad.ok, bad.message).toBe(false);
    await rm(scratch, { recursive: true });
  });
});
