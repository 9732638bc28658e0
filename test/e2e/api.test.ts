import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
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

const dir = tempDir();
let daemon: RunningDaemon;
let config: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  const port = await freePort();
  config = writeConfig(
    dir,
    port,
    'services:\n  core: { kind: compose, critical: true }\n  mqtt: { kind: native }\njobs:\n  quick:\n    run: echo done\n',
  );
  daemon = await startDaemon(config, { port });
  for (const role of ['viewer', 'operator', 'admin'] as const) {
    const created = runCli([
      'token',
      'create',
      '--name',
      `t-${role}`,
      '--role',
      role,
      '--json',
      '-c',
      config,
    ]);
    expect(created.code).toBe(0);
    tokens[role] = JSON.parse(created.stdout).token;
  }
});

afterAll(async () => {
  await daemon?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const auditActions = () =>
  JSON.parse(runCli(['audit', 'list', '--json', '--limit', '1000', '-c', config]).stdout).entries as {
    action: string;
    actor: string;
    details: Record<string, unknown>;
  }[];

describe('first start', () => {
  it('wrote an admin token to a 0600 file and not to the log', () => {
    const file = path.join(dir, 'data', 'initial-admin-token');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const token = fs.readFileSync(file, 'utf8').trim();
    expect(token).toMatch(/^stw_/);
    expect(daemon.stdout() + daemon.stderr()).not.toContain(token);
    expect(daemon.stdout()).toContain('initial-admin-token');
  });

  it('keeps the data dir and database private', () => {
    expect(fs.statSync(path.join(dir, 'data')).mode & 0o077).toBe(0);
    expect(fs.statSync(path.join(dir, 'data', 'steward.db')).mode & 0o077).toBe(0);
  });
});

describe('open routes', () => {
  it('/healthz and /readyz need no token', async () => {
    expect((await api(daemon, 'GET', '/healthz')).status).toBe(200);
    const ready = await api(daemon, 'GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ checks: { store_writable: true, scheduler_running: true } });
  });

  it('serves an OpenAPI 3.1 document generated from the route schemas', async () => {
    const doc = await api(daemon, 'GET', '/api/v1/openapi.json');
    expect(doc.status).toBe(200);
    const body = doc.body as { openapi: string; paths: Record<string, unknown> };
    expect(body.openapi).toBe('3.1.0');
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/status',
        '/api/v1/services',
        '/api/v1/jobs',
        '/api/v1/jobs/{name}/run',
        '/api/v1/audit',
      ]),
    );
  });
});

describe('token roles', () => {
  it('no token → 401, audited', async () => {
    const res = await api(daemon, 'GET', '/api/v1/status');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
    expect(
      auditActions().some((e) => e.action === 'auth.failed' && e.details.reason === 'missing token'),
    ).toBe(true);
  });

  it('viewer reads, but gets 403 on a POST, audited', async () => {
    const status = await api(daemon, 'GET', '/api/v1/status', tokens.viewer);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ name: 'e2e', daemon: { running: true } });
    const services = await api(daemon, 'GET', '/api/v1/services', tokens.viewer);
    expect((services.body as { services: { name: string }[] }).services.map((s) => s.name).sort()).toEqual([
      'core',
      'mqtt',
    ]);

    const post = await api(daemon, 'POST', '/api/v1/jobs/quick/run', tokens.viewer);
    expect(post.status).toBe(403);
    expect(auditActions().some((e) => e.action === 'auth.forbidden' && e.actor === 'token:t-viewer')).toBe(
      true,
    );
  });

  it('operator runs a job: 202, one audit row, the run lands in job_runs', async () => {
    const before = auditActions().filter((e) => e.action === 'job.run').length;
    const post = await api(daemon, 'POST', '/api/v1/jobs/quick/run', tokens.operator);
    expect(post.status).toBe(202);
    const runId = (post.body as { runId: string }).runId;
    const after = auditActions().filter((e) => e.action === 'job.run');
    expect(after.length).toBe(before + 1);
    expect(after[0]).toMatchObject({ actor: 'token:t-operator', details: { run_id: runId } });
    let outcome: string | null = null;
    for (let i = 0; i < 50 && outcome === null; i++) {
      const runs = await api(daemon, 'GET', '/api/v1/jobs/quick/runs', tokens.viewer);
      outcome =
        (runs.body as { runs: { id: string; outcome: string | null }[] }).runs.find((r) => r.id === runId)
          ?.outcome ?? null;
      if (outcome === null) await new Promise((r) => setTimeout(r, 100));
    }
    expect(outcome).toBe('ok');
    expect((await api(daemon, 'POST', '/api/v1/jobs/nope/run', tokens.admin)).status).toBe(404);
  });

  it('a revoked token → 401, audited', async () => {
    expect((await api(daemon, 'GET', '/api/v1/jobs', tokens.admin)).status).toBe(200);
    expect(runCli(['token', 'revoke', 't-admin', '-c', config]).code).toBe(0);
    expect((await api(daemon, 'GET', '/api/v1/jobs', tokens.admin)).status).toBe(401);
    expect(
      auditActions().some(
        (e) => e.action === 'auth.failed' && e.details.reason === 'unknown or revoked token',
      ),
    ).toBe(true);
  });

  it('reads the audit log through the API', async () => {
    const res = await api(daemon, 'GET', '/api/v1/audit?limit=5&action=token.revoke', tokens.viewer);
    expect(res.status).toBe(200);
    expect((res.body as { entries: { action: string }[] }).entries[0]?.action).toBe('token.revoke');
    expect((await api(daemon, 'GET', '/api/v1/audit?since=yesterday', tokens.viewer)).status).toBe(400);
  });

  it('rate-limits failed authentication per address and audits it once', async () => {
    let limited: Awaited<ReturnType<typeof api>> | undefined;
    for (let i = 0; i < 15; i++) {
      const res = await api(daemon, 'GET', '/api/v1/status', `stw_wrong${i}`);
      if (res.status === 429) {
        limited = res;
        break;
      }
      expect(res.status).toBe(401);
    }
    expect(limited?.status).toBe(429);
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
    // Even a valid token is refused from this address until the window ends.
    expect((await api(daemon, 'GET', '/api/v1/status', tokens.viewer)).status).toBe(429);
    expect(auditActions().filter((e) => e.action === 'auth.rate_limited').length).toBe(1);
    // The open routes stay open.
    expect((await api(daemon, 'GET', '/healthz')).status).toBe(200);
  });
});

describe('/metrics', () => {
  it('passes promtool check metrics', async () => {
    const res = await fetch(`${daemon.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('steward_build_info{');
    expect(text).toContain('steward_job_runs_total{job="quick",outcome="ok"} 1');
    expect(text).toContain('steward_job_duration_seconds_bucket');
    expect(text).toContain('process_cpu_seconds_total');
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.stdout + check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});

describe('steward status', () => {
  it('shows the running daemon, services and last runs', () => {
    const res = runCli(['status', '--json', '-c', config]);
    expect(res.code).toBe(0);
    const status = JSON.parse(res.stdout);
    expect(status.daemon).toMatchObject({ running: true, pid: daemon.child.pid });
    expect(status.jobs[0]).toMatchObject({ name: 'quick', lastRun: { outcome: 'ok', trigger: 'api' } });
    const human = runCli(['status', '-c', config]);
    expect(human.stdout).toContain('running');
    expect(human.stdout).toMatch(/core\s+compose\s+yes/);
  });
});
