import fs from 'node:fs';
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
let operator: string;
let viewer: string;

function token(role: string): string {
  const created = runCli(['token', 'create', '--name', `m-${role}`, '--role', role, '--json', '-c', config]);
  expect(created.code).toBe(0);
  return JSON.parse(created.stdout).token;
}

async function postText(route: string, text: string, auth = operator) {
  const res = await fetch(`${daemon.url}${route}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${auth}`, 'content-type': 'text/plain' },
    body: text,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  const port = await freePort();
  config = writeConfig(dir, port, 'metrics:\n  retention: { raw: 7d, hourly: 30d }\n');
  daemon = await startDaemon(config, { port });
  operator = token('operator');
  viewer = token('viewer');
});

afterAll(async () => {
  await daemon?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('POST /api/v1/metrics', () => {
  it('stores the valid lines of a line-protocol batch and reports each bad line with its number', async () => {
    const now = Date.now();
    const lines = [
      `boiler,site=north temp=61.5,pressure=1.2 ${now - 60_000}`,
      'this is not line protocol',
      `boiler,site=north temp=62.5 ${now - 30_000}`,
      'boiler,site=north temp=abc',
      '',
      `boiler,site=south temp=40i ${now - 30_000}`,
    ];
    const res = await postText('/api/v1/metrics?precision=ms', lines.join('\n'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ written: 4, duplicates: 0, rejected: 2 });
    const errors = res.body.errors as { at: number; message: string }[];
    expect(errors.map((e) => e.at)).toEqual([2, 4]);
  });

  it('accepts JSON samples, and a viewer may not write', async () => {
    const body = { samples: [{ name: 'tank_level_ratio', labels: { tank: 'a' }, value: 0.5 }] };
    expect((await api(daemon, 'POST', '/api/v1/metrics', operator, body)).body).toMatchObject({ written: 1 });
    expect((await api(daemon, 'POST', '/api/v1/metrics', viewer, body)).status).toBe(403);
    expect((await api(daemon, 'POST', '/api/v1/metrics', undefined, body)).status).toBe(401);
  });

  it('rejects garbage bodies without harm', async () => {
    const res = await postText('/api/v1/metrics', '\u0000\u0001\u0002 ,,, === "\n'.repeat(50));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ written: 0, rejected: 50 });
    expect((await api(daemon, 'GET', '/healthz')).status).toBe(200);
  });
});

describe('GET /api/v1/metrics/query and steward metrics query', () => {
  it('returns bucketed points per series, filtered by labels', async () => {
    const res = await api(
      daemon,
      'GET',
      '/api/v1/metrics/query?name=boiler_temp&labels=site%3Dnorth&from=10m&step=10m&agg=max',
      viewer,
    );
    expect(res.status).toBe(200);
    const body = res.body as { source: string; series: { labels: unknown; points: [number, number][] }[] };
    expect(body.source).toBe('minute');
    expect(body.series).toHaveLength(1);
    expect(body.series[0]?.labels).toEqual({ site: 'north' });
    expect(Math.max(...(body.series[0]?.points ?? []).map((p) => p[1]))).toBe(62.5);
  });

  it('reads raw samples for a step that is not whole minutes, with the same answer', async () => {
    const res = await api(
      daemon,
      'GET',
      '/api/v1/metrics/query?name=boiler_temp&labels=site%3Dnorth&from=10m&step=90s&agg=max',
      viewer,
    );
    const body = res.body as { source: string; series: { points: [number, number][] }[] };
    expect(body.source).toBe('raw');
    expect(Math.max(...(body.series[0]?.points ?? []).map((p) => p[1]))).toBe(62.5);
  });

  it('uses hourly rollups for a range older than raw retention', async () => {
    const res = await api(daemon, 'GET', '/api/v1/metrics/query?name=boiler_temp&from=20d&step=1h', viewer);
    expect((res.body as { source: string }).source).toBe('hourly');
  });

  it('the CLI prints the same series as JSON, and a table without --json', () => {
    const json = runCli([
      'metrics',
      'query',
      'boiler_temp',
      '--since',
      '10m',
      '--step',
      '1m',
      '--json',
      '-c',
      config,
    ]);
    expect(json.code, json.stderr).toBe(0);
    const doc = JSON.parse(json.stdout) as { series: { labels: Record<string, string> }[] };
    expect(doc.series.map((s) => s.labels.site).sort()).toEqual(['north', 'south']);
    const table = runCli([
      'metrics',
      'query',
      'boiler_temp',
      '--since',
      '10m',
      '--labels',
      'site=south',
      '-c',
      config,
    ]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toContain('site=south');
    expect(table.stdout).toContain('40');
    const bad = runCli(['metrics', 'query', 'boiler_temp', '--step', 'soon', '-c', config]);
    expect(bad.code).toBe(2);
  });
});
