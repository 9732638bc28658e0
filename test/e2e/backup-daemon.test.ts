import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  freePort,
  type RunningDaemon,
  runCli,
  startDaemon,
  tempDir,
  writeConfig,
} from '../support/cli.js';

/** The daemon side of backups: schedules, API roles, metrics, recovery of runs a dead process left. */
let dir: string;
let config: string;
let daemon: RunningDaemon;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  dir = tempDir('steward-backup-daemon-');
  const key = path.join(dir, 'backup.key');
  const recipient = runCli(['keygen', '--out', key]).stdout.trim().split('\n').pop() as string;
  fs.mkdirSync(path.join(dir, 'app'));
  fs.writeFileSync(path.join(dir, 'app/settings.json'), '{"a":1}\n');
  const db = new Database(path.join(dir, 'app/core.db'));
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY); INSERT INTO t DEFAULT VALUES;');
  db.close();
  const port = await freePort();
  config = writeConfig(
    dir,
    port,
    `backups:
  encryption: { recipients: [${recipient}], identity_file: ./backup.key }
  targets:
    local: { type: local, path: ./backups }
  jobs:
    nightly:
      schedule: "*/2 * * * * *"
      sources:
        - { type: sqlite, name: core-db, path: ./app/core.db }
        - { type: path, name: app, path: ./app, exclude: ["*.db*"] }
      targets: [local]
      retention: { keep_last: 3 }
      drill: { rto: 1h }
    manual:
      sources: [ { type: path, name: app, path: ./app } ]
      targets: [local]
`,
  );
  // A run left 'running' by a process that died: the daemon's start must mark it aborted.
  expect(runCli(['db', 'migrate', '-c', config]).code).toBe(0);
  const store = new Database(path.join(dir, 'data/steward.db'));
  store
    .prepare(
      `INSERT INTO backup_runs (id, job, trigger, state, started_at, pid) VALUES ('01STALESTALESTALESTALESTAL', 'manual', 'manual', 'running', '2026-01-01T00:00:00.000Z', 999999)`,
    )
    .run();
  store.close();
  fs.mkdirSync(path.join(dir, 'backups'));
  fs.writeFileSync(
    path.join(dir, 'backups/manual-20260101T000000Z-01STALESTALESTALESTALESTAL.tar.gz.age.partial'),
    'half',
  );

  daemon = await startDaemon(config, { port });
  for (const role of ['viewer', 'operator']) {
    tokens[role] = JSON.parse(
      runCli(['token', 'create', '--name', role, '--role', role, '--json', '-c', config]).stdout,
    ).token;
  }
}, 60_000);

afterAll(async () => {
  await daemon?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('timed out waiting');
}

describe('backups in the daemon', () => {
  it('marked the stale run aborted and removed its partial at start', () => {
    const runs = new Database(path.join(dir, 'data/steward.db'), { readonly: true })
      .prepare(`SELECT state FROM backup_runs WHERE id = '01STALESTALESTALESTALESTAL'`)
      .get() as { state: string };
    expect(runs.state).toBe('aborted');
    // Only the stale run's partial: the every-2-seconds job may be writing its own right now.
    expect(fs.readdirSync(path.join(dir, 'backups')).filter((f) => f.includes('01STALESTALE'))).toEqual([]);
  });

  it('runs the scheduled job and lists it through the API for a viewer', async () => {
    const listing = await waitFor(async () => {
      const res = await api(daemon, 'GET', '/api/v1/backups?job=nightly', tokens.viewer);
      const body = res.body as { archives: { state: string }[] };
      return body.archives?.some((a) => a.state === 'validated') ? body : undefined;
    });
    expect(listing.archives.length).toBeGreaterThan(0);
  });

  it('lets an operator, not a viewer, start a run and a drill', async () => {
    expect((await api(daemon, 'POST', '/api/v1/backups/manual/run', tokens.viewer)).status).toBe(403);
    const started = await api(daemon, 'POST', '/api/v1/backups/manual/run', tokens.operator);
    expect(started.status).toBe(202);
    expect((await api(daemon, 'POST', '/api/v1/backups/nope/run', tokens.operator)).status).toBe(404);
    await waitFor(async () => {
      const res = await api(daemon, 'GET', '/api/v1/backups?job=manual', tokens.viewer);
      const body = res.body as { jobs: { lastRun: { state: string } | null }[] };
      return body.jobs[0]?.lastRun?.state === 'completed' ? true : undefined;
    });
    const drill = await api(daemon, 'POST', '/api/v1/backups/nightly/drill', tokens.operator);
    expect(drill.status).toBe(200);
    expect((drill.body as { result: string }).result).toBe('passed');
  });

  it('exports the backup metrics, and promtool accepts them', async () => {
    const text = await (await fetch(`${daemon.url}/metrics`)).text();
    expect(text).toMatch(/steward_backup_last_success_timestamp_seconds\{job="nightly"\} \d/);
    expect(text).toMatch(/steward_backup_size_bytes\{job="nightly"\} \d/);
    expect(text).toMatch(/steward_backup_duration_seconds\{job="nightly"\} \d/);
    expect(text).toMatch(/steward_recovery_point_rto_seconds\{job="nightly"\} \d/);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('keeps at most keep_last archives of the scheduled job', async () => {
    await waitFor(() => {
      const r = JSON.parse(
        runCli(['backup', 'list', '--job', 'nightly', '--all', '--json', '-c', config]).stdout,
      ) as {
        archives: { state: string }[];
      };
      return r.archives.some((a) => a.state === 'expired') ? true : undefined;
    }, 45_000);
    const files = fs
      .readdirSync(path.join(dir, 'backups'))
      .filter((f) => f.startsWith('nightly-') && f.endsWith('.age'));
    expect(files.length).toBeLessThanOrEqual(4); // 3 kept, plus one being written right now at most
  }, 60_000);

  it('audits runs, archive transitions and drills', () => {
    const entries = JSON.parse(runCli(['audit', 'list', '--json', '--limit', '1000', '-c', config]).stdout)
      .entries as {
      action: string;
    }[];
    const actions = new Set(entries.map((e) => e.action));
    for (const a of [
      'backup.run.started',
      'backup.run.finished',
      'backup.run.aborted',
      'backup.archive.in_progress',
      'backup.archive.completed',
      'backup.archive.validated',
      'backup.archive.expired',
      'backup.prune',
      'backup.drill',
    ]) {
      expect(actions, a).toContain(a);
    }
    expect(runCli(['audit', 'verify', '-c', config]).code).toBe(0);
  });
});
