import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, runCli, startDaemon, tempDir, writeConfig } from '../support/cli.js';

const dirs: string[] = [];
const fresh = () => {
  const d = tempDir();
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const sql = (db: string, query: string) =>
  execFileSync('sqlite3', ['-json', db, query], { encoding: 'utf8' }).trim();
const rows = (db: string, query: string) => {
  const out = sql(db, query);
  return out ? (JSON.parse(out) as Record<string, unknown>[]) : [];
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('daemon lifecycle', () => {
  it('SIGTERM during a long job: exit 0 within the grace period, run recorded aborted, no overlapping start', async () => {
    const dir = fresh();
    const port = await freePort();
    const marker = path.join(dir, 'starts.log');
    const config = writeConfig(
      dir,
      port,
      [
        'daemon:',
        '  shutdown_grace: 2s',
        'jobs:',
        '  long:',
        '    schedule: "* * * * * *"   # every second, but each run takes 60 s',
        `    run: "echo start >> ${marker}; sleep 60"`,
        '',
      ].join('\n'),
    );
    const daemon = await startDaemon(config, { port });
    // Let several ticks pass while the first run is still going.
    for (let i = 0; i < 50 && !fs.existsSync(marker); i++) await sleep(100);
    await sleep(3000);
    const stoppedAt = Date.now();
    const exit = await daemon.stop('SIGTERM');
    const took = Date.now() - stoppedAt;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(took).toBeLessThan(10_000);

    expect(fs.readFileSync(marker, 'utf8').trim().split('\n')).toEqual(['start']);
    const db = path.join(dir, 'data', 'steward.db');
    const runs = rows(db, "SELECT outcome, ended_at FROM job_runs WHERE job='long'");
    expect(runs).toHaveLength(1);
    expect(runs[0]?.outcome).toBe('aborted');
    expect(runs[0]?.ended_at).toBeTruthy();
    // The command's process group is gone too.
    const leftover = spawnSync('pgrep', ['-f', marker], { encoding: 'utf8' });
    expect(leftover.stdout.trim()).toBe('');
  });

  it('a second daemon on the same data dir refuses, naming the first one’s PID', async () => {
    const dir = fresh();
    const port = await freePort();
    const config = writeConfig(dir, port);
    const first = await startDaemon(config, { port });
    const second = runCli(['daemon', '-c', config]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`PID ${first.child.pid}`);
    expect(second.stderr).toContain('[E_LOCKED]');
    // db migrate needs the same exclusivity.
    expect(runCli(['db', 'migrate', '-c', config]).stderr).toContain(`PID ${first.child.pid}`);
    expect((await first.stop()).code).toBe(0);
    const status = JSON.parse(runCli(['status', '--json', '-c', config]).stdout);
    expect(status.daemon.running).toBe(false);
  });

  it('refuses a non-loopback bind without the opt-in', () => {
    const dir = fresh();
    const config = path.join(dir, 'steward.yaml');
    fs.writeFileSync(config, 'version: 1\ndata_dir: ./data\nserver:\n  listen: 0.0.0.0:18090\n');
    const result = runCli(['daemon', '-c', config]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('steward.yaml:4:11 server.listen: refusing a non-loopback address');
    expect(fs.existsSync(path.join(dir, 'data'))).toBe(false);
  });

  it('SIGHUP reloads the config; a broken config is refused and the running one kept', async () => {
    const dir = fresh();
    const port = await freePort();
    const config = writeConfig(dir, port, 'services:\n  a: { kind: native }\n');
    const daemon = await startDaemon(config, { port });
    const tokenFile = path.join(dir, 'data', 'initial-admin-token');
    const token = fs.readFileSync(tokenFile, 'utf8').trim();
    const services = async () => {
      const res = await fetch(`${daemon.url}/api/v1/services`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return ((await res.json()) as { services: { name: string }[] }).services.map((s) => s.name).sort();
    };
    expect(await services()).toEqual(['a']);

    fs.appendFileSync(config, '  b: { kind: compose }\n');
    daemon.child.kill('SIGHUP');
    for (let i = 0; i < 50 && (await services()).length < 2; i++) await sleep(100);
    expect(await services()).toEqual(['a', 'b']);

    fs.appendFileSync(config, '  c: { kind: nonsense }\n');
    daemon.child.kill('SIGHUP');
    for (let i = 0; i < 50 && !daemon.stdout().includes('config reload refused'); i++) await sleep(100);
    expect(daemon.stdout()).toContain('config reload refused');
    expect(daemon.stdout()).toContain('services.c.kind');
    expect(await services()).toEqual(['a', 'b']);
    expect((await daemon.stop()).code).toBe(0);
  });

  it('runs a job once at start when its schedule passed while the daemon was down', async () => {
    const dir = fresh();
    const port = await freePort();
    const config = writeConfig(
      dir,
      port,
      'jobs:\n  minutely:\n    schedule: "0 * * * * *"\n    run: "true"\n',
    );
    // A previous run two minutes ago, as an earlier daemon would have recorded it.
    runCli(['db', 'migrate', '-c', config]);
    const db = path.join(dir, 'data', 'steward.db');
    const past = new Date(Date.now() - 120_000).toISOString();
    sql(
      db,
      `INSERT INTO job_runs (id, job, trigger, started_at, ended_at, outcome) VALUES ('01J0000000000000000000000A', 'minutely', 'schedule', '${past}', '${past}', 'ok')`,
    );
    const daemon = await startDaemon(config, { port });
    let catchUps: Record<string, unknown>[] = [];
    for (let i = 0; i < 50 && catchUps.length === 0; i++) {
      await sleep(100);
      catchUps = rows(db, "SELECT outcome FROM job_runs WHERE trigger='catch_up'");
    }
    expect(catchUps).toHaveLength(1);
    expect((await daemon.stop()).code).toBe(0);
    expect(rows(db, "SELECT outcome FROM job_runs WHERE trigger='catch_up'")).toEqual([{ outcome: 'ok' }]);
  });
});
