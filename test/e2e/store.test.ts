import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, runCli, startDaemon, tempDir, writeConfig } from '../support/cli.js';

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('migrations', () => {
  it('a failing migration stops start-up, names the file, and leaves the database byte-identical', async () => {
    const port = await freePort();
    const config = writeConfig(dir, port);
    // A first start creates and migrates the database.
    const first = await startDaemon(config, { port });
    expect((await first.stop()).code).toBe(0);
    const db = path.join(dir, 'data', 'steward.db');
    const before = sha(db);

    const migrations = path.join(dir, 'migrations');
    fs.cpSync(path.resolve('dist/store/migrations'), migrations, { recursive: true });
    fs.writeFileSync(
      path.join(migrations, '900_broken.up.sql'),
      'CREATE TABLE IF NOT EXISTS fine (id TEXT PRIMARY KEY) STRICT;\nINSERT INTO no_such_table VALUES (1);\n',
    );
    const result = runCli(['daemon', '-c', config], { env: { STEWARD_MIGRATIONS_DIR: migrations } });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('900_broken.up.sql');
    expect(result.stderr).toContain('no such table');
    expect(sha(db)).toBe(before);
    expect(fs.existsSync(`${db}-wal`) ? fs.statSync(`${db}-wal`).size : 0).toBe(0);
    const tables = execFileSync('sqlite3', [db, "SELECT name FROM sqlite_master WHERE name='fine'"], {
      encoding: 'utf8',
    });
    expect(tables.trim()).toBe('');
  });

  it('db status, migrate and down', async () => {
    const port = await freePort();
    const sub = tempDir();
    const config = writeConfig(sub, port);
    const status = runCli(['db', 'status', '--json', '-c', config]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).pending.length).toBeGreaterThan(0);
    expect(runCli(['db', 'migrate', '-c', config]).code).toBe(0);
    expect(JSON.parse(runCli(['db', 'status', '--json', '-c', config]).stdout).pending).toEqual([]);
    const refused = runCli(['db', 'down', '1', '-c', config]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');
    const before = JSON.parse(runCli(['db', 'status', '--json', '-c', config]).stdout).current as number;
    expect(runCli(['db', 'down', '1', '--yes', '-c', config]).code).toBe(0);
    expect(JSON.parse(runCli(['db', 'status', '--json', '-c', config]).stdout).current).toBe(before - 1);
    fs.rmSync(sub, { recursive: true, force: true });
  });
});

describe('audit log', () => {
  it('verify passes on an intact chain and names the row an attacker edited', () => {
    const sub = tempDir();
    const config = writeConfig(sub, 1);
    for (const name of ['alpha', 'beta', 'gamma']) {
      expect(runCli(['token', 'create', '--name', name, '--role', 'viewer', '-c', config]).code).toBe(0);
    }
    expect(runCli(['token', 'revoke', 'beta', '-c', config]).code).toBe(0);
    const ok = runCli(['audit', 'verify', '-c', config]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('4 rows');

    const list = JSON.parse(runCli(['audit', 'list', '--json', '-c', config]).stdout);
    expect(list.entries.map((e: { action: string }) => e.action)).toEqual([
      'token.revoke',
      'token.create',
      'token.create',
      'token.create',
    ]);
    const victim = list.entries.find(
      (e: { target: string; action: string }) => e.target === 'token:beta' && e.action === 'token.create',
    );

    // The attacker drops the triggers first, then edits one row's details.
    const db = path.join(sub, 'data', 'steward.db');
    execFileSync('sqlite3', [
      db,
      `DROP TRIGGER audit_log_no_update; UPDATE audit_log SET details='{"role":"admin"}' WHERE seq=${victim.seq};`,
    ]);
    const bad = runCli(['audit', 'verify', '-c', config]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`seq ${victim.seq}`);
    expect(bad.stderr).toContain(victim.id);
    const badJson = JSON.parse(runCli(['audit', 'verify', '--json', '-c', config]).stdout);
    expect(badJson).toMatchObject({ ok: false, firstBad: { seq: victim.seq, reason: 'hash' } });
    fs.rmSync(sub, { recursive: true, force: true });
  });

  it('the triggers refuse UPDATE and DELETE', () => {
    const sub = tempDir();
    const config = writeConfig(sub, 1);
    runCli(['token', 'create', '--name', 'x', '-c', config]);
    const db = path.join(sub, 'data', 'steward.db');
    expect(() => execFileSync('sqlite3', [db, 'DELETE FROM audit_log'], { stdio: 'pipe' })).toThrow(
      /append-only/,
    );
    expect(() => execFileSync('sqlite3', [db, "UPDATE audit_log SET actor='x'"], { stdio: 'pipe' })).toThrow(
      /append-only/,
    );
    fs.rmSync(sub, { recursive: true, force: true });
  });
});
