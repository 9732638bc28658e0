import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, freePort, runCli, tempDir, writeConfig } from '../support/cli.js';

/** A box with a SQLite database, a config directory and a command source, backed up to two local targets. */
let dir: string;
let config: string;
let key: string;
let recipient: string;

function sha(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function archivesIn(target: string): string[] {
  return fs
    .readdirSync(target)
    .filter((f) => f.endsWith('.tar.gz.age'))
    .sort();
}

function json<T>(args: string[]): T {
  const r = runCli([...args, '-c', config, '--json']);
  if (r.code !== 0 && r.code !== 1)
    throw new Error(`steward ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

interface RunDoc {
  run: {
    id: string;
    state: string;
    error: string | null;
    targets: Record<string, { outcome: string; reason?: string }>;
  };
  archives: { id: string; target: string; state: string; fileName: string }[];
}

beforeAll(async () => {
  dir = tempDir('steward-backup-');
  key = path.join(dir, 'backup.key');
  const kg = runCli(['keygen', '--out', key]);
  expect(kg.code, kg.stderr).toBe(0);
  recipient = kg.stdout.trim().split('\n').pop() as string;
  expect(recipient).toMatch(/^age1[0-9a-z]{58}$/);
  expect(fs.statSync(key).mode & 0o777).toBe(0o600);

  fs.mkdirSync(path.join(dir, 'app/config/cache'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'app/config/main.conf'), 'answer = 42\n');
  fs.writeFileSync(path.join(dir, 'app/config/cache/big.bin'), 'cached');
  fs.writeFileSync(path.join(dir, 'app/config/junk.tmp'), 'tmp');
  fs.symlinkSync('main.conf', path.join(dir, 'app/config/current.conf'));
  const db = new Database(path.join(dir, 'app/core.db'));
  db.exec('CREATE TABLE readings (id INTEGER PRIMARY KEY, v TEXT)');
  const insert = db.prepare('INSERT INTO readings (v) VALUES (?)');
  for (let i = 0; i < 500; i++) insert.run(`reading ${i}`);
  db.close();
  fs.mkdirSync(path.join(dir, 'backups-a'));
  fs.mkdirSync(path.join(dir, 'backups-b'));

  config = writeConfig(
    dir,
    await freePort(),
    `backups:
  encryption:
    recipients: [${recipient}]
    identity_file: ./backup.key
  targets:
    a: { type: local, path: ./backups-a }
    b: { type: local, path: ./backups-b }
    usb: { type: local, path: ./not-a-mount, require_mount: true }
  jobs:
    core:
      sources:
        - { type: sqlite, name: core-db, path: ./app/core.db }
        - { type: path, name: config, path: ./app/config, exclude: ["*.tmp", "cache/"] }
        - { type: command, name: stamp, run: "echo hello from a command" }
      targets: [a, b]
      retention: { keep_last: 2 }
    hooked:
      sources: [ { type: path, name: config, path: ./app/config } ]
      targets: [b]
      hooks:
        before: ["echo before > hook-before.txt"]
        after: ['echo "$STEWARD_BACKUP_STATE $STEWARD_BACKUP_JOB" > hook-after.txt']
    broken-hook:
      sources: [ { type: path, name: config, path: ./app/config } ]
      targets: [b]
      hooks:
        before: ["exit 3"]
        after: ['echo "$STEWARD_BACKUP_STATE" > broken-after.txt']
    usb-only:
      sources:
        - { type: path, name: config, path: ./app/config }
      targets: [a, usb]
`,
  );
}, 60_000);

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('backup run, verify, restore', () => {
  let first: RunDoc;

  it('writes one 0600 archive per target with a sha256sum sidecar, and verifies it', () => {
    first = json<RunDoc>(['backup', 'run', 'core']);
    expect(first.run.state, first.run.error ?? '').toBe('completed');
    for (const t of ['a', 'b']) {
      const files = archivesIn(path.join(dir, `backups-${t}`));
      expect(files).toHaveLength(1);
      const file = path.join(dir, `backups-${t}`, files[0] as string);
      expect(files[0]).toMatch(/^core-\d{8}T\d{6}Z-[0-9A-Z]{26}\.tar\.gz\.age$/);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      // sha256sum -c reads the sidecar: a person can check it without Steward.
      execFileSync('sha256sum', ['-c', `${files[0]}.sha256`], { cwd: path.dirname(file) });
      expect(fs.readdirSync(path.join(dir, `backups-${t}`)).filter((f) => f.endsWith('.partial'))).toEqual(
        [],
      );
    }
    // after_backup verification ran with the identity: the archives are validated.
    expect(first.archives.map((a) => a.state)).toEqual(['validated', 'validated']);
  });

  it('opens with stock age and GNU tar, and the manifest lists every file with its SHA-256', () => {
    const out = path.join(dir, 'stock');
    fs.mkdirSync(out);
    const file = path.join(dir, 'backups-a', archivesIn(path.join(dir, 'backups-a'))[0] as string);
    execFileSync('sh', ['-c', `age -d -i "${key}" "${file}" | tar -xz -C "${out}"`]);
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'steward-manifest.json'), 'utf8'));
    expect(manifest.format).toBe('steward-archive/1');
    expect(manifest.sources.map((s: { name: string }) => s.name)).toEqual(['core-db', 'config', 'stamp']);
    for (const e of manifest.entries.filter((x: { type: string }) => x.type === 'file')) {
      expect(sha(path.join(out, e.path)), e.path).toBe(e.sha256);
    }
    expect(fs.readFileSync(path.join(out, 'sources/config/main.conf'), 'utf8')).toBe('answer = 42\n');
    expect(fs.readlinkSync(path.join(out, 'sources/config/current.conf'))).toBe('main.conf');
    expect(fs.existsSync(path.join(out, 'sources/config/junk.tmp'))).toBe(false);
    expect(fs.existsSync(path.join(out, 'sources/config/cache'))).toBe(false);
    const stamp = fs.readdirSync(path.join(out, 'sources/stamp'));
    expect(fs.readFileSync(path.join(out, 'sources/stamp', stamp[0] as string), 'utf8')).toBe(
      'hello from a command\n',
    );
    const restored = new Database(path.join(out, 'sources/core-db/core.db'), { readonly: true });
    expect(restored.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(restored.prepare('SELECT count(*) AS n FROM readings').get()).toEqual({ n: 500 });
    restored.close();
  });

  it('verify checks checksums without the key and every file with it, by id and by path', () => {
    const byId = json<{ results: { ok: boolean; mode: string }[] }>([
      'backup',
      'verify',
      first.run.id,
      '--checksum-only',
    ]);
    expect(byId.results.map((r) => [r.ok, r.mode])).toEqual([
      [true, 'checksum'],
      [true, 'checksum'],
    ]);
    const file = path.join(dir, 'backups-b', archivesIn(path.join(dir, 'backups-b'))[0] as string);
    const byPath = json<{ results: { ok: boolean; mode: string; files: number }[] }>([
      'backup',
      'verify',
      file,
    ]);
    expect(byPath.results[0]).toMatchObject({ ok: true, mode: 'full' });
  });

  it('restores into a directory, with --only, and refuses a non-empty --to', () => {
    const to = path.join(dir, 'restored');
    const r = runCli(['restore', first.run.id, '--to', to, '-c', config]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(path.join(to, 'sources/config/main.conf'), 'utf8')).toBe('answer = 42\n');
    const again = runCli(['restore', first.run.id, '--to', to, '-c', config]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/not empty/);
    const only = path.join(dir, 'restored-only');
    const o = runCli(['restore', first.run.id, '--to', only, '--only', 'sources/config/**', '-c', config]);
    expect(o.code, o.stderr).toBe(0);
    expect(fs.existsSync(path.join(only, 'sources/config/main.conf'))).toBe(true);
    expect(fs.existsSync(path.join(only, 'sources/core-db'))).toBe(false);
  });

  it('puts the sqlite database back in place with --in-place --yes', () => {
    const dbFile = path.join(dir, 'app/core.db');
    const db = new Database(dbFile);
    db.exec('DELETE FROM readings');
    db.close();
    const refused = runCli(['restore', first.run.id, '--in-place', '-c', config]);
    expect(refused.code).toBe(2);
    // The command source has no restore command: refused before anything is touched.
    const all = runCli(['restore', first.run.id, '--in-place', '--yes', '-c', config]);
    expect(all.code).toBe(2);
    expect(all.stderr).toMatch(/stamp/);
    expect(
      new Database(dbFile, { readonly: true }).prepare('SELECT count(*) AS n FROM readings').get(),
    ).toEqual({ n: 0 });
    const r = runCli([
      'restore',
      first.run.id,
      '--in-place',
      '--yes',
      '--only',
      'sources/core-db/**',
      '-c',
      config,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const back = new Database(dbFile, { readonly: true });
    expect(back.prepare('SELECT count(*) AS n FROM readings').get()).toEqual({ n: 500 });
    back.close();
  });

  it('drill restores the newest archive, checks it and records the RTO and success rate', () => {
    const point = json<{
      result: string;
      rtoMs: number;
      checks: { source: string; ok: boolean }[];
      successRate: { rate: number };
    }>(['drill', 'core']);
    expect(point.result).toBe('passed');
    expect(point.rtoMs).toBeGreaterThan(0);
    expect(point.checks.map((c) => c.source)).toEqual(['(archive)', 'core-db', 'config', 'stamp']);
    expect(point.successRate.rate).toBe(1);
    const list = json<{
      jobs: { job: string; drillSuccessRate: number }[];
      archives: { lastDrilledAt: string | null }[];
    }>(['backup', 'list', '--job', 'core']);
    expect(list.jobs[0]?.drillSuccessRate).toBe(1);
    expect(list.archives.some((a) => a.lastDrilledAt !== null)).toBe(true);
  });

  it('prunes by retention (keep_last 2): the oldest archives expire and their files go', () => {
    json<RunDoc>(['backup', 'run', 'core']);
    json<RunDoc>(['backup', 'run', 'core']);
    // the run prunes after itself: 3 runs, keep_last 2
    expect(archivesIn(path.join(dir, 'backups-a'))).toHaveLength(2);
    const dry = json<{ results: { target: string; decisions: { action: string; reasons: string[] }[] }[] }>([
      'backup',
      'prune',
      '--dry-run',
      '--job',
      'core',
    ]);
    expect(dry.results[0]?.decisions.map((d) => d.action)).toEqual(['keep', 'keep']);
    expect(dry.results[0]?.decisions[0]?.reasons).toContain('last 1');
    const all = json<{ archives: { state: string }[] }>(['backup', 'list', '--job', 'core', '--all']);
    expect(all.archives.filter((a) => a.state === 'expired')).toHaveLength(2); // one per target
  });

  it('runs before and after hooks; a failing before hook fails the run, and after hooks still run', () => {
    const ok = json<RunDoc>(['backup', 'run', 'hooked']);
    expect(ok.run.state).toBe('completed');
    expect(fs.readFileSync(path.join(dir, 'hook-before.txt'), 'utf8')).toBe('before\n');
    expect(fs.readFileSync(path.join(dir, 'hook-after.txt'), 'utf8')).toBe('completed hooked\n');
    const r = runCli(['backup', 'run', 'broken-hook', '--json', '-c', config]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as RunDoc;
    expect(doc.run.state).toBe('failed');
    expect(doc.run.error).toMatch(/exit/i);
    expect(doc.archives.map((a) => a.state)).toEqual(['failed']);
    expect(fs.readFileSync(path.join(dir, 'broken-after.txt'), 'utf8')).toBe('failed\n');
    expect(fs.readdirSync(path.join(dir, 'backups-b')).filter((f) => f.startsWith('broken-hook'))).toEqual(
      [],
    );
  });

  it('skips a require_mount target that is not a mount point: run degraded, nothing written there', () => {
    fs.mkdirSync(path.join(dir, 'not-a-mount'));
    const doc = json<RunDoc>(['backup', 'run', 'usb-only']);
    expect(doc.run.state).toBe('degraded');
    expect(doc.run.targets.usb?.outcome).toBe('skipped');
    expect(doc.run.targets.usb?.reason).toMatch(/not a mount point/);
    expect(fs.readdirSync(path.join(dir, 'not-a-mount'))).toEqual([]);
    expect(doc.run.targets.a?.outcome).toBe('completed');
  });
});

describe('crash safety', () => {
  it('kill -9 at 20 random moments leaves no final-named archive that fails verify; the next run succeeds', async () => {
    // Enough data that a run takes a while: 24 MB of mixed content.
    const big = path.join(dir, 'app/config/big');
    fs.mkdirSync(big, { recursive: true });
    for (let i = 0; i < 6; i++) {
      fs.writeFileSync(
        path.join(big, `random-${i}.bin`),
        Buffer.from(createHash('sha512').update(String(i)).digest())
          .toString('hex')
          .repeat(20_000),
      );
    }
    const target = path.join(dir, 'backups-a');
    const before = archivesIn(target);
    for (let i = 0; i < 20; i++) {
      const child = spawn(process.execPath, [CLI, 'backup', 'run', 'core', '-c', config], {
        stdio: 'ignore',
      });
      const exited = new Promise((r) => child.once('exit', r));
      // Node takes ~300 ms to start; the run itself ~1-2 s on this data.
      const delay = 300 + Math.floor(Math.random() * 1500);
      await new Promise((r) => setTimeout(r, delay));
      child.kill('SIGKILL');
      await exited;
    }
    for (const f of archivesIn(target)) {
      const r = runCli(['backup', 'verify', path.join(target, f), '-c', config]);
      expect(r.code, `${f}: ${r.stdout}${r.stderr}`).toBe(0);
    }
    for (const f of before.filter((b) => fs.existsSync(path.join(target, b)))) {
      expect(runCli(['backup', 'verify', path.join(target, f), '-c', config]).code).toBe(0);
    }
    const next = json<RunDoc>(['backup', 'run', 'core']);
    expect(next.run.state, next.run.error ?? '').toBe('completed');
    expect(fs.readdirSync(target).filter((f) => f.endsWith('.partial'))).toEqual([]);
    const runs = json<{ jobs: unknown[] }>(['backup', 'list', '--job', 'core']);
    expect(runs.jobs).toHaveLength(1);
    fs.rmSync(big, { recursive: true });
  }, 180_000);

  it('a target whose disk fills mid-write fails cleanly while the other completes', () => {
    const small = path.join(dir, 'small');
    fs.mkdirSync(small);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', small]);
    try {
      const big = path.join(dir, 'app/config/noise.bin');
      fs.writeFileSync(big, randomBytes(2 * 1024 * 1024));
      const cfg = fs
        .readFileSync(config, 'utf8')
        .replace('    usb: {', `    small: { type: local, path: ${small}, require_mount: true }\n    usb: {`)
        .replace('      targets: [a, usb]', '      targets: [small, a]');
      fs.writeFileSync(config, cfg);
      const doc = json<RunDoc>(['backup', 'run', 'usb-only']);
      expect(doc.run.state).toBe('degraded');
      expect(doc.run.targets.small?.outcome).toBe('failed');
      expect(doc.run.targets.small?.reason).toMatch(/no space left/i);
      expect(doc.run.targets.a?.outcome).toBe('completed');
      expect(
        fs.readdirSync(small).filter((f) => f.endsWith('.tar.gz.age') || f.endsWith('.partial')),
      ).toEqual([]);
      fs.rmSync(big);
    } finally {
      spawnSync('umount', [small]);
    }
  });
});
