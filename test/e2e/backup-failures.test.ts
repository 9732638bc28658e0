import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreArchive, runBackup, runDrill, verifyArchives } from '../../src/backup/index.js';
import { SIDECAR_SUFFIX } from '../../src/backup/naming.js';
import {
  type BackupBox,
  type BackupKey,
  createBackupBox,
  listTree,
  makeKey,
  type RawEntry,
  recordingBus,
  startSqliteWriter,
  stockDecryptExtract,
  writeCraftedArchive,
} from '../support/backup-fixture.js';
import { tempDir } from '../support/cli.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { RCLONE_TEST_CONFIG, type RcloneWebdav, startRcloneWebdav } from '../support/rclone.js';

/**
 * Failure and interop tests of the backup capability, in process: the command functions
 * (runBackup, verifyArchives, restoreArchive, runDrill) with a real config file, store and
 * targets. The CLI-level happy paths are in backup.test.ts.
 */

const base = tempDir('steward-backup-failures-');
const boxes: BackupBox[] = [];
let key: BackupKey;

beforeAll(() => {
  key = makeKey(path.join(base, 'backup.key'));
});

afterAll(() => {
  for (const b of boxes) b.close();
  fs.rmSync(base, { recursive: true, force: true });
});

function box(name: string, backups: unknown): BackupBox {
  const b = createBackupBox(path.join(base, name), backups);
  boxes.push(b);
  return b;
}

const encryption = () => ({ recipients: [key.recipient], identity_file: key.file });

function archivesIn(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.tar.gz.age'))
    .sort();
}

function onlyArchive(dir: string): string {
  const files = archivesIn(dir);
  expect(files).toHaveLength(1);
  return path.join(dir, files[0] as string);
}

const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** Text that compresses, random bytes that do not, a symlink, an empty file, a nested dir. */
function writeMixedFiles(dir: string): void {
  fs.mkdirSync(path.join(dir, 'nested/deeper'), { recursive: true });
  const lines: string[] = [];
  for (let i = 0; i < 5000; i++) {
    lines.push(`reading ${i}: temperature=${i % 37} humidity=${i % 91} status=${i % 7 ? 'ok' : 'warn'}`);
  }
  fs.writeFileSync(path.join(dir, 'readings.log'), `${lines.join('\n')}\n`);
  fs.writeFileSync(path.join(dir, 'random.bin'), randomBytes(128 * 1024));
  fs.writeFileSync(path.join(dir, 'nested/config.yaml'), 'answer: 42\nname: "ünïcode ✓"\n');
  fs.writeFileSync(path.join(dir, 'nested/deeper/empty'), '');
  fs.symlinkSync('readings.log', path.join(dir, 'current.log'));
}

/** mulberry32: a seeded PRNG, so a failing damage pattern can be replayed with BACKUP_DAMAGE_SEED. */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

describe('damaged archives', () => {
  it('verify detects every one of 200 byte flips and 20 truncations: with the identity, and by checksum', async () => {
    const app = path.join(base, 'damage/app');
    writeMixedFiles(app);
    const dbFile = path.join(base, 'damage/app.db');
    const db = new Database(dbFile);
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    for (let i = 0; i < 300; i++) insert.run(`row ${i}`);
    db.close();
    const backups = {
      encryption: encryption(),
      targets: { local: { type: 'local', path: './backups' } },
      jobs: {
        mixed: {
          sources: [
            { type: 'path', name: 'files', path: './app' },
            { type: 'sqlite', name: 'db', path: './app.db' },
          ],
          targets: ['local'],
        },
      },
    };
    const b = box('damage', backups);
    const { run } = await runBackup(b.ctx, { job: 'mixed' });
    expect(run.state, run.error ?? '').toBe('completed');
    const archive = onlyArchive(path.join(b.dir, 'backups'));
    const original = fs.readFileSync(archive);

    // age layout: header ending in "--- <mac>\n", a 16-byte nonce, then 64 KiB + 16-byte sealed chunks.
    const macLine = original.indexOf('\n---');
    expect(macLine).toBeGreaterThan(0);
    const headerEnd = original.indexOf('\n', macLine + 1) + 1;
    const payloadStart = headerEnd + 16;
    const sealed = 64 * 1024 + 16;
    // A few hundred KB: several chunks, so chunk-boundary truncations mean something.
    expect(original.length).toBeGreaterThan(payloadStart + 2 * sealed);
    expect(original.length).toBeLessThan(1024 * 1024);

    // Full checks decrypt and compare with the manifest, with no sidecar to lean on; checksum
    // checks have only the sidecar (copied beside the damaged copy) and no identity.
    const fullDir = path.join(b.dir, 'damaged-full');
    const sumDir = path.join(b.dir, 'damaged-sum');
    fs.mkdirSync(fullDir);
    fs.mkdirSync(sumDir);
    const fullCopy = path.join(fullDir, path.basename(archive));
    const sumCopy = path.join(sumDir, path.basename(archive));
    fs.copyFileSync(`${archive}${SIDECAR_SUFFIX}`, `${sumCopy}${SIDECAR_SUFFIX}`);
    const noKey = b.withBackups({ ...backups, encryption: { recipients: [key.recipient] } }, 'no-key');

    const check = async (data: Buffer) => {
      fs.writeFileSync(fullCopy, data);
      fs.writeFileSync(sumCopy, data);
      const [full] = await verifyArchives(b.ctx, { ref: fullCopy });
      const [sum] = await verifyArchives(noKey, { ref: sumCopy });
      return { full, sum };
    };

    // Controls: the intact archive passes both ways, so a failure below is the damage's doing.
    const intact = await check(original);
    expect(intact.full).toMatchObject({ ok: true, mode: 'full', error: null });
    expect(intact.full?.files).toBeGreaterThanOrEqual(5);
    expect(intact.sum).toMatchObject({ ok: true, mode: 'checksum', error: null });

    const seed = Number(process.env.BACKUP_DAMAGE_SEED ?? Date.now() % 2 ** 32);
    const rand = prng(seed);
    const missed: string[] = [];
    const expectDetected = (what: string, r: Awaited<ReturnType<typeof check>>) => {
      if (r.full?.ok !== false || r.full.mode !== 'full' || !r.full.error)
        missed.push(`${what}: full verify said ${JSON.stringify(r.full)}`);
      if (r.sum?.ok !== false || r.sum.mode !== 'checksum' || !r.sum.error)
        missed.push(`${what}: checksum verify said ${JSON.stringify(r.sum)}`);
    };

    for (let i = 0; i < 200; i++) {
      // One in ten lands in the header or nonce, which uniform offsets would hardly ever hit.
      const offset = i % 10 === 0 ? rand(payloadStart) : rand(original.length);
      const xor = 1 + rand(255);
      const damaged = Buffer.from(original);
      damaged.writeUInt8(damaged.readUInt8(offset) ^ xor, offset);
      expectDetected(`flip at ${offset} ^ 0x${xor.toString(16)} (seed ${seed})`, await check(damaged));
    }

    const lengths = new Set<number>([
      0,
      1,
      headerEnd - 1,
      headerEnd, // header without the nonce
      payloadStart, // no chunk at all
      payloadStart + sealed, // exactly one whole chunk: no final chunk
      payloadStart + 2 * sealed,
      payloadStart + sealed - 1,
      payloadStart + sealed + 1,
      original.length - 16, // the last tag gone
      original.length - 1,
    ]);
    while (lengths.size < 20) lengths.add(rand(original.length));
    for (const length of lengths) {
      expectDetected(
        `truncated to ${length} of ${original.length} bytes`,
        await check(original.subarray(0, length)),
      );
    }
    expect(missed).toEqual([]);
  }, 180_000);
});

describe('hostile archives', () => {
  interface CaseDirs {
    root: string;
    to: string;
    outside: string;
    unique: string;
  }
  interface HostileCase {
    name: string;
    entries: (c: CaseDirs) => RawEntry[];
    message: RegExp;
    /** Extra checks that the attack's aim was not reached. */
    after?: (c: CaseDirs) => void;
  }

  const file = (name: string, content = 'pwned\n'): RawEntry => ({
    name,
    type: 'file',
    mode: 0o644,
    content,
  });
  const dir = (name: string): RawEntry => ({ name, type: 'directory', mode: 0o755 });
  const symlink = (name: string, linkname: string): RawEntry => ({ name, type: 'symlink', linkname });
  const harmless = [dir('sources/'), dir('sources/app/'), file('sources/app/ok.txt', 'fine\n')];
  const passwd = fs.statSync('/etc/passwd');
  const passwdSha = sha(fs.readFileSync('/etc/passwd'));

  const cases: HostileCase[] = [
    {
      name: 'an entry ../evil',
      entries: () => [...harmless, file('../evil')],
      message: /'\.\.' path segment: \.\.\/evil/,
      after: (c) => expect(fs.existsSync(path.join(c.root, 'evil'))).toBe(false),
    },
    {
      name: 'a deep ../ path into the sibling dir',
      entries: () => [...harmless, file('sources/app/../../../outside/evil')],
      message: /'\.\.' path segment/,
    },
    {
      name: 'a long (pax) path with ..',
      entries: () => [...harmless, file(`sources/${'d'.repeat(120)}/../../../evil-long`)],
      message: /'\.\.' path segment/,
      after: (c) => expect(fs.existsSync(path.join(c.root, 'evil-long'))).toBe(false),
    },
    {
      name: 'an absolute path',
      entries: (c) => [...harmless, file(path.join(c.outside, 'evil'))],
      message: /absolute path/,
    },
    {
      name: 'a symlink etc -> /etc, then etc/evil-<unique>',
      entries: (c) => [...harmless, symlink('etc', '/etc'), file(`etc/evil-${c.unique}`)],
      message: /symlink with an absolute target: etc -> \/etc/,
      after: (c) => expect(fs.existsSync(`/etc/evil-${c.unique}`)).toBe(false),
    },
    {
      name: 'a symlink to the sibling dir, then a file through it',
      entries: (c) => [...harmless, symlink('out', c.outside), file('out/evil')],
      message: /symlink with an absolute target/,
    },
    {
      name: 'a symlink up -> ../.., then up/x',
      entries: () => [...harmless, symlink('up', '../..'), file('up/x')],
      message: /symlink pointing outside the destination: up -> \.\.\/\.\./,
      after: (c) => {
        expect(fs.existsSync(path.join(c.root, 'x'))).toBe(false);
        expect(fs.existsSync(path.join(base, 'x'))).toBe(false);
      },
    },
    {
      name: 'a symlink inside the tree, then a file written through it',
      entries: () => [
        ...harmless,
        dir('sources/app/real/'),
        symlink('sources/app/alias', 'real'),
        file('sources/app/alias/x'),
      ],
      message: /through the symlink sources\/app\/alias/,
    },
    {
      name: 'links that each look inside but chain outside (l -> ., m -> l/..)',
      entries: () => [...harmless, symlink('l', '.'), symlink('m', 'l/..')],
      message: /symlink pointing outside the destination: m -> l\/\.\./,
    },
    {
      name: 'a hard link to /etc/passwd',
      entries: () => [...harmless, { name: 'sources/app/passwd', type: 'link', linkname: '/etc/passwd' }],
      message: /hard links are not supported: sources\/app\/passwd/,
      after: () => {
        const now = fs.statSync('/etc/passwd');
        expect(now.nlink).toBe(passwd.nlink);
        expect(now.mode).toBe(passwd.mode);
        expect(sha(fs.readFileSync('/etc/passwd'))).toBe(passwdSha);
      },
    },
    {
      name: 'a character device',
      entries: () => [
        ...harmless,
        { name: 'sources/app/null', type: 'character-device', mode: 0o666, devmajor: 1, devminor: 3 },
      ],
      message: /character-device entry: sources\/app\/null/,
    },
    {
      name: 'a FIFO',
      entries: () => [...harmless, { name: 'sources/app/pipe', type: 'fifo', mode: 0o644 }],
      message: /fifo entry: sources\/app\/pipe/,
    },
  ];

  let hostile: BackupBox;
  let n = 0;
  const archives = path.join(base, 'hostile-archives');

  beforeAll(() => {
    hostile = box('hostile', { encryption: encryption() });
    fs.mkdirSync(archives);
  });

  function caseDirs(): CaseDirs {
    n += 1;
    const root = path.join(base, `hostile-${n}`);
    const outside = path.join(root, 'outside');
    fs.mkdirSync(outside, { recursive: true });
    return {
      root,
      to: path.join(root, 'to'),
      outside,
      unique: `${process.pid}-${n}-${randomBytes(4).toString('hex')}`,
    };
  }

  it('a crafted archive without tricks restores (control for the cases below)', async () => {
    const c = caseDirs();
    const archive = path.join(archives, 'benign.tar.gz.age');
    await writeCraftedArchive(
      archive,
      [
        ...harmless,
        dir('sources/app/sub/'),
        file('sources/app/sub/b.txt', 'bee\n'),
        symlink('sources/app/link', 'sub/b.txt'),
      ],
      [key.recipient],
    );
    const r = await restoreArchive(hostile.ctx, { ref: archive, to: c.to });
    expect(r.files).toBe(3); // ok.txt, b.txt and the manifest
    expect(fs.readFileSync(path.join(c.to, 'sources/app/link'), 'utf8')).toBe('bee\n');
  });

  it.each(cases)('refuses $name, naming it, and writes nothing outside --to', async (hc) => {
    const c = caseDirs();
    const baseBefore = fs.readdirSync(base).sort();
    const archive = path.join(archives, `case-${n}.tar.gz.age`);
    await writeCraftedArchive(archive, hc.entries(c), [key.recipient]);

    const error = await restoreArchive(hostile.ctx, { ref: archive, to: c.to }).then(
      () => null,
      (err: unknown) => err as Error & { code?: string },
    );
    expect(error, 'the restore must be refused').not.toBeNull();
    expect(error?.message).toMatch(hc.message);
    expect(error?.code).toBe('E_INTEGRITY');

    expect(fs.readdirSync(c.outside)).toEqual([]);
    for (const name of fs.readdirSync(c.root)) expect(['outside', 'to']).toContain(name);
    expect(fs.readdirSync(base).sort()).toEqual(baseBefore);
    expect(fs.existsSync(`/etc/evil-${c.unique}`)).toBe(false);
    // Whatever was left in --to is plain: no device, FIFO or hard link, no symlink leading out.
    const realTo = fs.existsSync(c.to) ? fs.realpathSync(c.to) : c.to;
    for (const e of listTree(c.to)) {
      expect(e.kind, e.path).not.toBe('other');
      if (e.kind === 'file') expect(e.nlink, e.path).toBe(1);
      if (e.kind === 'symlink') {
        const resolved = path.resolve(path.dirname(path.join(realTo, e.path)), e.link ?? '');
        expect(
          resolved.startsWith(`${realTo}${path.sep}`) || resolved === realTo,
          `${e.path} -> ${e.link}`,
        ).toBe(true);
      }
    }
    hc.after?.(c);
  });
});

describe('a SQLite database written to throughout the backup', () => {
  it('restores to a consistent prefix of the writes: integrity_check ok, rows 1..k without gaps', async () => {
    const dir = path.join(base, 'sqlite-live');
    fs.mkdirSync(dir, { recursive: true });
    const dbFile = path.join(dir, 'live.db');
    // Prints how many rows `seq` had when it started, after waiting for MORE further commits:
    // run before and after the sqlite source, it proves the writer was busy on both sides of the copy.
    const waitScript = path.join(dir, 'wait-rows.sh');
    fs.writeFileSync(
      waitScript,
      `q() { sqlite3 -cmd '.timeout 5000' "$1" 'SELECT coalesce(max(id), 0) FROM seq' 2>/dev/null; }
start=''
while [ -z "$start" ]; do start=$(q "$1"); done
while :; do
  now=$(q "$1")
  if [ -n "$now" ] && [ "$now" -ge $((start + $2)) ]; then break; fi
  sleep 0.02
done
echo "$start"
`,
    );
    const writer = await startSqliteWriter(dbFile);
    let committed = 0;
    try {
      const wait = (name: string) => ({
        type: 'command',
        name,
        run: `sh ${waitScript} ${dbFile} 50`,
        timeout: '120s',
      });
      const b = box('sqlite-live', {
        encryption: encryption(),
        targets: { local: { type: 'local', path: './backups' } },
        jobs: {
          live: {
            sources: [wait('before'), { type: 'sqlite', name: 'live', path: './live.db' }, wait('after')],
            targets: ['local'],
          },
        },
      });
      const { run } = await runBackup(b.ctx, { job: 'live' });
      expect(run.state, run.error ?? '').toBe('completed');
      const to = path.join(dir, 'restored');
      const restored = await restoreArchive(b.ctx, { ref: run.id, to });
      expect(restored.sources).toEqual(['before', 'live', 'after']);
      committed = await writer.stop();

      const before = Number(fs.readFileSync(path.join(to, 'sources/before/stdout'), 'utf8').trim());
      const after = Number(fs.readFileSync(path.join(to, 'sources/after/stdout'), 'utf8').trim());
      const copy = new Database(path.join(to, 'sources/live/live.db'));
      try {
        expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
        const { rows, lo, hi } = copy
          .prepare('SELECT count(*) AS rows, min(id) AS lo, max(id) AS hi FROM seq')
          .get() as {
          rows: number;
          lo: number;
          hi: number;
        };
        expect(rows).toBeGreaterThan(0);
        expect(lo).toBe(1);
        expect(hi, 'ids 1..k with no gap').toBe(rows);
        expect(copy.prepare('SELECT count(*) AS n FROM filler').get()).toEqual({ n: 2000 });
        // The copy was taken while the writer was committing: after ≥ 50 rows more than when the
        // run started, and ≥ 50 rows before the run ended.
        expect(rows).toBeGreaterThanOrEqual(before + 50);
        expect(after).toBeGreaterThanOrEqual(rows);
        expect(committed).toBeGreaterThanOrEqual(after + 50);
      } finally {
        copy.close();
      }
    } finally {
      if (committed === 0) await writer.stop().catch(() => {});
    }
  }, 180_000);
});

describe('require_mount target and RTO', () => {
  let b: BackupBox;

  beforeAll(() => {
    const dir = path.join(base, 'mount');
    fs.mkdirSync(path.join(dir, 'usb'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'app'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'app/main.conf'), 'answer = 42\n');
    const sources = [{ type: 'path', name: 'app', path: './app' }];
    b = box('mount', {
      encryption: encryption(),
      targets: {
        usb: { type: 'local', path: './usb', require_mount: true },
        main: { type: 'local', path: './main' },
      },
      jobs: {
        usb: { sources, targets: ['usb', 'main'] },
        tight: { sources, targets: ['main'], drill: { rto: '1ms' } },
      },
    });
  });

  it('a require_mount target on a plain directory is skipped: degraded, events on the bus, nothing written', async () => {
    const { bus, events } = recordingBus([
      'backup.started',
      'backup.target_skipped',
      'backup.completed',
      'backup.degraded',
      'backup.failed',
    ]);
    const { run, archives } = await runBackup(b.ctx, { job: 'usb' }, { events: bus });
    expect(run.state).toBe('degraded');
    expect(run.targets.usb?.outcome).toBe('skipped');
    expect(run.targets.usb?.reason).toMatch(/not a mount point/);
    expect(run.targets.main?.outcome).toBe('completed');
    expect(archives.map((a) => [a.target, a.state])).toEqual([['main', 'validated']]);

    expect(events.map((e) => e.event)).toEqual([
      'backup.started',
      'backup.target_skipped',
      'backup.degraded',
    ]);
    expect(events[1]?.payload).toMatchObject({ job: 'usb', runId: run.id, target: 'usb' });
    expect(events[1]?.payload.reason).toMatch(/not a mount point/);
    expect(events[2]?.payload).toMatchObject({ job: 'usb', runId: run.id });
    expect(String(events[2]?.payload.problems)).toMatch(/usb: skipped/);

    expect(fs.readdirSync(path.join(b.dir, 'usb'))).toEqual([]);
    const main = fs.readdirSync(path.join(b.dir, 'main')).sort();
    expect(main).toHaveLength(2);
    expect(main[1]).toBe(`${main[0]}${SIDECAR_SUFFIX}`);
  });

  describe('a drill over its RTO (1ms)', () => {
    let drill: Awaited<ReturnType<typeof runDrill>>;
    let events: ReturnType<typeof recordingBus>['events'];

    beforeAll(async () => {
      const { run } = await runBackup(b.ctx, { job: 'tight' });
      expect(run.state, run.error ?? '').toBe('completed');
      const recording = recordingBus(['drill.passed', 'drill.failed', 'drill.rto_exceeded']);
      events = recording.events;
      drill = await runDrill(b.ctx, { job: 'tight' }, { events: recording.bus });
    });

    it('is recorded failed with the RTO-exceeded message and publishes drill.rto_exceeded', () => {
      // The restore itself was fine: only the time failed it.
      expect(drill.checks.every((c) => c.ok)).toBe(true);
      expect(drill.result).toBe('failed');
      expect(drill.rtoExceeded).toBe(true);
      expect(drill.rtoLimitMs).toBe(1);
      expect(drill.rtoMs).toBeGreaterThan(1);
      expect(drill.error).toMatch(/^restore took .*, over the RTO of /);
      const [point] = b.store.recoveryPoints.list({ job: 'tight' });
      expect(point).toMatchObject({ id: drill.id, result: 'failed', error: drill.error, rtoLimitMs: 1 });
      expect(events.map((e) => e.event)).toEqual(['drill.rto_exceeded']);
      expect(events[0]?.payload).toEqual({
        job: 'tight',
        recoveryPointId: drill.id,
        rtoMs: drill.rtoMs,
        limitMs: 1,
      });
    });

    it('states the measured time and the limit truthfully (not rounded to 0s)', () => {
      // A 1ms RTO is reported as "over the RTO of 0s", and a sub-second restore as "took 0s".
      expect(drill.error).not.toMatch(/\b0s\b/);
    });
  });
});

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
    stockDecryptExtract(key.file, onlyArchive(path.join(b.dir, 'backups')), out);
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
