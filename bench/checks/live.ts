/** The live runs: Steward with N checks against the local target, and the plain baseline. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { type Child, freePort, measureWindow, sleep, startChild, type WindowFigures } from './proc.js';

export interface Target {
  child: Child;
  httpUrl: string;
  tcpPort: number;
}

export interface LiveOptions {
  root: string;
  cli: string;
  work: string;
  target: Target;
  checks: number;
  windowS: number;
  warmupS: number;
  intervalS: number;
  timeoutS: number;
}

export interface StewardRun extends WindowFigures {
  checks: number;
  hostMetrics: boolean;
  startupS: number;
  /** steward_check_schedule_lag_seconds quantiles at the end of the window (its last 10 minutes), ms. */
  lagP50Ms: number;
  lagP90Ms: number;
  lagP99Ms: number;
  /** Mean lag of the probes started within the window (from the summary's _sum and _count), ms. */
  lagMeanWindowMs: number;
  /** steward_check_latency_seconds samples stored with a timestamp within the window. */
  latencySamples: number;
  probesPerS: number;
  inFlightAtEnd: number;
  skippedTotal: number;
  states: Record<string, number>;
  up: number;
  valid: boolean;
  dbBytes: number;
}

export interface BaselineRun extends WindowFigures {
  checks: number;
  started: number;
  ok: number;
  failed: number;
  probesPerS: number;
  maxInFlight: number;
  lagP50Ms: number | null;
  lagP99Ms: number | null;
}

export async function startTarget(root: string): Promise<Target> {
  const child = startChild([process.execPath, path.join(root, 'bench/checks/target.mjs')]);
  const ports = JSON.parse(await child.nextLine()) as { http: number; tcp: number };
  return { child, httpUrl: `http://127.0.0.1:${ports.http}/ok`, tcpPort: ports.tcp };
}

/** steward.yaml with `count` checks, one per line in flow style: even http, odd tcp (names sort in that order). */
function configText(o: LiveOptions, port: number, hostMetrics: boolean): string {
  const lines = [
    'version: 1',
    'name: bench-checks',
    'data_dir: ./data',
    'server:',
    `  listen: 127.0.0.1:${port}`,
    hostMetrics ? 'host_metrics: { interval: 15s, filesystems: ["/"] }' : 'host_metrics: { enabled: false }',
  ];
  if (o.checks > 0) lines.push('checks:');
  const timing = `interval: ${o.intervalS}s, timeout: ${o.timeoutS}s`;
  for (let i = 0; i < o.checks; i++) {
    const name = `c${String(i).padStart(5, '0')}`;
    lines.push(
      i % 2 === 0
        ? `  ${name}: { type: http, url: "${o.target.httpUrl}", ${timing} }`
        : `  ${name}: { type: tcp, host: 127.0.0.1, port: ${o.target.tcpPort}, ${timing} }`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export interface Daemon {
  child: Child;
  url: string;
  dir: string;
  config: string;
  dbFile: string;
  startupS: number;
  token(role: 'viewer' | 'operator'): string;
}

/** Writes the config into a fresh dir under `work`, starts `steward daemon -c FILE` and waits for /readyz. */
export async function startDaemon(cli: string, dir: string, text: (port: number) => string): Promise<Daemon> {
  fs.mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const config = path.join(dir, 'steward.yaml');
  fs.writeFileSync(config, text(port));
  const log = path.join(dir, 'daemon.log');
  const t0 = performance.now();
  const child = startChild([process.execPath, cli, 'daemon', '-c', config], {
    log,
    env: { ...process.env, NO_COLOR: '1' },
  });
  const url = `http://127.0.0.1:${port}`;
  let exited = false;
  void child.exited.then(() => {
    exited = true;
  });
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (exited || Date.now() > deadline) {
      const tail = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').slice(-3000) : '';
      throw new Error(`the daemon ${exited ? 'exited' : 'was not ready in 120 s'}:\n${tail}`);
    }
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  return {
    child,
    url,
    dir,
    config,
    dbFile: path.join(dir, 'data/steward.db'),
    startupS: (performance.now() - t0) / 1000,
    token(role) {
      const r = spawnSync(
        process.execPath,
        [cli, 'token', 'create', '--name', `bench-${role}`, '--role', role, '--json', '-c', config],
        { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
      );
      if (r.status !== 0) throw new Error(`token create failed: ${r.stderr}${r.stdout}`);
      return (JSON.parse(r.stdout) as { token: string }).token;
    },
  };
}

/** Values of one metric in Prometheus text, keyed by the label text ("" without labels). */
export function promValues(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m && m[1] === name) out.set(m[2] ?? '', Number(m[3]));
  }
  return out;
}

async function scrape(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`);
  if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
  return res.text();
}

function fileBytes(...files: string[]): number {
  return files.reduce((sum, f) => sum + (fs.existsSync(f) ? fs.statSync(f).size : 0), 0);
}

export async function runSteward(o: LiveOptions, hostMetrics: boolean, label: string): Promise<StewardRun> {
  const d = await startDaemon(o.cli, path.join(o.work, label), (port) => configText(o, port, hostMetrics));
  try {
    console.log(`  ${label}: ready in ${d.startupS.toFixed(1)} s; warming up ${o.warmupS} s`);
    const viewer = d.token('viewer');
    await sleep(o.warmupS * 1000);
    const lag = (text: string, suffix: string) =>
      promValues(text, `steward_check_schedule_lag_seconds${suffix}`).get('') ?? 0;
    const before = await scrape(d.url);
    const from = Date.now();
    console.log(`  ${label}: measuring ${o.windowS} s`);
    const w = await measureWindow(d.child.pid, o.target.child.pid, o.windowS);
    const to = Date.now();
    const after = await scrape(d.url);
    const quantiles = promValues(after, 'steward_check_schedule_lag_seconds');
    const q = (p: string) => (quantiles.get(`{quantile="${p}"}`) ?? Number.NaN) * 1000;
    const count = lag(after, '_count') - lag(before, '_count');
    const res = await fetch(`${d.url}/api/v1/checks`, { headers: { authorization: `Bearer ${viewer}` } });
    if (!res.ok) throw new Error(`GET /api/v1/checks answered ${res.status}`);
    const list = (await res.json()) as { checks: { state: string }[] };
    const states: Record<string, number> = {};
    for (const c of list.checks) states[c.state] = (states[c.state] ?? 0) + 1;
    await d.child.stop();
    const db = new Database(d.dbFile, { readonly: true, fileMustExist: true });
    const latencySamples = (
      db
        .prepare(
          `SELECT count(*) AS n FROM samples s JOIN series r ON r.id = s.series_id
           WHERE r.name = 'steward_check_latency_seconds' AND s.ts >= ? AND s.ts < ?`,
        )
        .get(from, to) as { n: number }
    ).n;
    db.close();
    const up = states.up ?? 0;
    return {
      ...w,
      checks: o.checks,
      hostMetrics,
      startupS: d.startupS,
      lagP50Ms: q('0.5'),
      lagP90Ms: q('0.9'),
      lagP99Ms: q('0.99'),
      lagMeanWindowMs: count > 0 ? ((lag(after, '_sum') - lag(before, '_sum')) / count) * 1000 : Number.NaN,
      latencySamples,
      probesPerS: latencySamples / ((to - from) / 1000),
      inFlightAtEnd: promValues(after, 'steward_checks_in_flight').get('') ?? Number.NaN,
      skippedTotal: [...promValues(after, 'steward_check_skipped_total').values()].reduce((a, b) => a + b, 0),
      states,
      up,
      valid: up === o.checks,
      dbBytes: fileBytes(d.dbFile, `${d.dbFile}-wal`),
    };
  } finally {
    await d.child.stop();
  }
}

export async function runBaseline(o: LiveOptions): Promise<BaselineRun> {
  const tcpHost = '127.0.0.1';
  const child = startChild([
    process.execPath,
    path.join(o.root, 'bench/checks/baseline.mjs'),
    o.target.httpUrl,
    tcpHost,
    String(o.target.tcpPort),
    String(o.checks),
    String(o.intervalS * 1000),
    String(o.timeoutS * 1000),
  ]);
  try {
    console.log(`  baseline: warming up ${o.warmupS} s`);
    await sleep(o.warmupS * 1000);
    child.send('reset');
    console.log(`  baseline: measuring ${o.windowS} s`);
    const w = await measureWindow(child.pid, o.target.child.pid, o.windowS);
    child.send('stats');
    const s = JSON.parse(await child.nextLine()) as Omit<
      BaselineRun,
      keyof WindowFigures | 'checks' | 'probesPerS'
    >;
    return { ...w, ...s, checks: o.checks, probesPerS: s.started / w.wallS };
  } finally {
    await child.stop();
  }
}
