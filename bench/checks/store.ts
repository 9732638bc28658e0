/** The metrics store: ingest through the API, a 30-day query, and the size after simulated days. */
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { loadConfig } from '../../src/config/load.js';
import { ManualClock } from '../../src/core/clock.js';
import type { CommandContext } from '../../src/core/context.js';
import { silentLogger } from '../../src/core/logger.js';
import { createHostCollector } from '../../src/monitor/host/index.js';
import { pruneMetrics, queryMetrics } from '../../src/monitor/metrics.js';
import { type MetricSample, openStore } from '../../src/store/index.js';
import { startDaemon } from './live.js';
import { cpuSeconds, sleep } from './proc.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const QUERY_DAYS = 30;
const QUERY_EVERY = 15_000;
const SERIES = 100;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

export interface IngestFigures {
  samples: number;
  batches: number;
  seconds: number;
  samplesPerS: number;
  /** The daemon's CPU during the posts, seconds. */
  daemonCpuS: number;
  written: number;
}

export interface QueryFigures {
  samples: number;
  points: number;
  source: string;
  runsMs: number[];
  medianMs: number;
}

export interface IngestResult {
  batch: number;
  json: IngestFigures;
  lineProtocol: IngestFigures;
  /** GET /api/v1/metrics/query over the same 30-day series, posted to the daemon first. */
  httpQuery: QueryFigures;
}

function bodies(total: number, batch: number, base: number, format: 'json' | 'lp'): string[] {
  const out: string[] = [];
  for (let start = 0; start < total; start += batch) {
    const parts: string[] = [];
    for (let k = start; k < Math.min(total, start + batch); k++) {
      const series = `s${String(k % SERIES).padStart(3, '0')}`;
      const ts = base + Math.floor(k / SERIES) * 1000;
      const value = Math.round(Math.random() * 1e6) / 1e3;
      parts.push(
        format === 'json'
          ? JSON.stringify({ name: 'bench_ingest', labels: { series }, value, ts })
          : `bench_lp,series=${series} value=${value} ${ts}`,
      );
    }
    out.push(format === 'json' ? `{"samples":[${parts.join(',')}]}` : parts.join('\n'));
  }
  return out;
}

async function post(url: string, token: string, body: string, json: boolean): Promise<number> {
  const res = await fetch(`${url}/api/v1/metrics${json ? '' : '?precision=ms'}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': json ? 'application/json' : 'text/plain' },
    body,
  });
  const reply = (await res.json()) as { written?: number; rejected?: number; message?: string };
  if (!res.ok || reply.rejected)
    throw new Error(`POST /api/v1/metrics: ${res.status} ${JSON.stringify(reply)}`);
  return reply.written ?? 0;
}

async function timedPosts(
  url: string,
  token: string,
  pid: number,
  list: string[],
  json: boolean,
  samples: number,
) {
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  let written = 0;
  for (const body of list) written += await post(url, token, body, json);
  const seconds = (performance.now() - t0) / 1000;
  if (written !== samples) throw new Error(`ingest: ${written} of ${samples} samples written`);
  return {
    samples,
    batches: list.length,
    seconds,
    samplesPerS: samples / seconds,
    daemonCpuS: cpuSeconds(pid) - cpu0,
    written,
  };
}

/** Starts a daemon with no checks, posts `total` samples in batches as JSON, then as line protocol. */
export async function measureIngest(cli: string, work: string, total: number, batch: number) {
  const d = await startDaemon(
    cli,
    path.join(work, 'ingest'),
    (port) =>
      `version: 1\nname: bench-ingest\ndata_dir: ./data\nserver:\n  listen: 127.0.0.1:${port}\nhost_metrics: { enabled: false }\n`,
  );
  try {
    const token = d.token('operator');
    const base = Date.now() - 7 * DAY;
    const jsonBodies = bodies(total, batch, base, 'json');
    const lpBodies = bodies(total, batch, base, 'lp');
    console.log(`  ingest: ${total} samples as JSON, then as line protocol, ${batch} a batch`);
    const json = await timedPosts(d.url, token, d.child.pid, jsonBodies, true, total);
    const lineProtocol = await timedPosts(d.url, token, d.child.pid, lpBodies, false, total);

    // The 30-day series for the HTTP query, ending at the last whole minute (untimed).
    const end = Date.now() - (Date.now() % 60_000);
    const count = (QUERY_DAYS * DAY) / QUERY_EVERY;
    for (let i = 0; i < count; i += 10_000) {
      const samples = [];
      for (let k = i; k < Math.min(count, i + 10_000); k++)
        samples.push({
          name: 'bench_query',
          labels: {},
          value: k % 100,
          ts: end - (count - k) * QUERY_EVERY,
        });
      await post(d.url, token, JSON.stringify({ samples }), true);
    }
    const viewer = d.token('viewer');
    const q = `${d.url}/api/v1/metrics/query?name=bench_query&from=${end - QUERY_DAYS * DAY}&to=${end}&step=1m&agg=avg`;
    const runsMs: number[] = [];
    let points = 0;
    let source = '';
    for (let run = 0; run < 6; run++) {
      const t0 = performance.now();
      const res = await fetch(q, { headers: { authorization: `Bearer ${viewer}` } });
      const body = (await res.json()) as { source: string; series: { points: unknown[] }[] };
      if (run > 0) runsMs.push(performance.now() - t0);
      points = body.series[0]?.points.length ?? 0;
      source = body.source;
    }
    return {
      batch,
      json,
      lineProtocol,
      httpQuery: { samples: count, points, source, runsMs, medianMs: median(runsMs) },
    } satisfies IngestResult;
  } finally {
    await d.child.stop();
  }
}

function openBench(dir: string, yaml: string, start: number) {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'steward.yaml');
  fs.writeFileSync(file, `version: 1\nname: bench-store\ndata_dir: ./data\n${yaml}`);
  const config = loadConfig({ file });
  const clock = new ManualClock(start);
  const store = openStore({ file: path.join(dir, 'data/steward.db'), clock });
  const ctx: CommandContext = { config, store, clock, actor: 'bench', logger: silentLogger() };
  return { ctx, clock, store };
}

/** queryMetrics over 30 days of one series at 15 s, step 1 min, avg: median of 5 after a warm-up. */
export function measureQuery(work: string): QueryFigures {
  const end = Date.UTC(2026, 1, 1);
  const { ctx, store } = openBench(path.join(work, 'query'), '', end);
  try {
    const count = (QUERY_DAYS * DAY) / QUERY_EVERY;
    const from = end - QUERY_DAYS * DAY;
    for (let i = 0; i < count; i += 10_000) {
      const batch: MetricSample[] = [];
      for (let k = i; k < Math.min(count, i + 10_000); k++)
        batch.push({ name: 'bench_query', labels: {}, value: k % 100, ts: from + k * QUERY_EVERY });
      store.metrics.write(batch);
    }
    const q = { name: 'bench_query', from, to: end, step: 60_000, agg: 'avg' as const };
    const runsMs: number[] = [];
    let points = 0;
    let source = '';
    for (let run = 0; run < 6; run++) {
      const t0 = performance.now();
      const r = queryMetrics(ctx, q);
      if (run > 0) runsMs.push(performance.now() - t0);
      points = r.series[0]?.points.length ?? 0;
      source = r.source;
    }
    return { samples: count, points, source, runsMs, medianMs: median(runsMs) };
  } finally {
    store.close();
  }
}

export interface SizeOptions {
  days: number;
  rawRetentionDays: number;
  checks: number;
  checkIntervalS: number;
  hostIntervalS: number;
}

export interface SizeResult extends SizeOptions {
  hostSeries: number;
  samplesWritten: number;
  seconds: number;
  /** DB + WAL after wal_checkpoint(TRUNCATE), at the end of every simulated day. */
  daily: { day: number; bytes: number; freePages: number }[];
  marks: { day: number; bytes: number; samples: number; rollups: number }[];
  /** Table bytes (dbstat) at the end of day `rawRetentionDays`: raw samples, minute rollups, the rest. */
  tablesAtRetention: { samples: number; minute: number; other: number };
  /**
   * At the default retention: (raw samples + the rest) at day `rawRetentionDays` ÷ that many days
   * × 90, plus minute rollups ÷ that many days × 35.
   */
  projected90dBytes: number;
  /** (last day − day rawRetentionDays) ÷ day rawRetentionDays. */
  growthAfterRetention: number;
  /** Bytes a day after retention was reached ÷ bytes a day before (0: flat; the hourly rollups, kept 365d, still add a little). */
  dailyGrowthRatio: number;
}

function tableBytes(db: Database.Database): { samples: number; minute: number; other: number } {
  const rows = db.prepare('SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name').all() as {
    name: string;
    bytes: number;
  }[];
  const of = (name: string) => rows.find((r) => r.name === name)?.bytes ?? 0;
  const all = rows.reduce((n, r) => n + r.bytes, 0);
  return { samples: of('samples'), minute: of('samples_1m'), other: all - of('samples') - of('samples_1m') };
}

/** Writes `days` of check latency and host series hour by hour, pruning hourly as the daemon would. */
export async function measureSize(work: string, o: SizeOptions): Promise<SizeResult> {
  const collector = createHostCollector({ filesystems: ['/'] });
  await collector.collect();
  await sleep(500);
  const host = (await collector.collect()).samples.map((s) => ({ ...s, labels: { ...s.labels } }));
  const start = Date.UTC(2026, 0, 1);
  const { ctx, clock, store } = openBench(
    path.join(work, 'size'),
    `metrics: { retention: { raw: ${o.rawRetentionDays}d, minute: ${o.rawRetentionDays}d, hourly: 365d } }\n`,
    start,
  );
  const checkEvery = o.checkIntervalS * 1000;
  const hostEvery = o.hostIntervalS * 1000;
  const dbFile = store.file;
  const size = () =>
    [dbFile, `${dbFile}-wal`].reduce((n, f) => n + (fs.existsSync(f) ? fs.statSync(f).size : 0), 0);
  const marks = new Set([o.rawRetentionDays, o.days]);
  for (let d = o.rawRetentionDays; d <= o.days; d += o.rawRetentionDays) marks.add(d);
  const out: SizeResult = {
    ...o,
    hostSeries: host.length,
    samplesWritten: 0,
    seconds: 0,
    daily: [],
    marks: [],
    projected90dBytes: 0,
    tablesAtRetention: { samples: 0, minute: 0, other: 0 },
    growthAfterRetention: 0,
    dailyGrowthRatio: 0,
  };
  const t0 = performance.now();
  try {
    for (let h = 0; h < o.days * 24; h++) {
      const hourStart = start + h * HOUR;
      const batch: MetricSample[] = [];
      for (let i = 0; i < o.checks; i++) {
        const check = `c${String(i).padStart(5, '0')}`;
        for (
          let t = hourStart + Math.floor((i * checkEvery) / o.checks);
          t < hourStart + HOUR;
          t += checkEvery
        ) {
          const value = Math.round(1 + Math.random() * 40) / 1000;
          batch.push({ name: 'steward_check_latency_seconds', labels: { check }, value, ts: t });
        }
      }
      for (let t = hourStart; t < hourStart + HOUR; t += hostEvery) {
        for (const s of host) {
          if (s.name.endsWith('_total')) s.value += Math.floor(Math.random() * 100_000);
          const v = Number.isInteger(s.value) ? s.value : s.value * (1 + (Math.random() - 0.5) * 0.02);
          batch.push({ name: s.name, labels: s.labels, value: v, ts: t });
        }
      }
      out.samplesWritten += store.metrics.write(batch).written;
      clock.set(hourStart + HOUR);
      pruneMetrics(ctx);
      if ((h + 1) % 24 !== 0) continue;
      const day = (h + 1) / 24;
      store.db.pragma('wal_checkpoint(TRUNCATE)');
      const bytes = size();
      out.daily.push({
        day,
        bytes,
        freePages: store.db.pragma('freelist_count', { simple: true }) as number,
      });
      if (day === o.rawRetentionDays) out.tablesAtRetention = tableBytes(store.db);
      if (marks.has(day)) {
        const c = store.metrics.counts();
        out.marks.push({ day, bytes, samples: c.samples, rollups: c.rollups });
        console.log(
          `  size: day ${day}: ${(bytes / 1e6).toFixed(1)} MB, ${c.samples} raw samples, ${c.rollups} rollups`,
        );
      }
    }
  } finally {
    store.close();
  }
  out.seconds = (performance.now() - t0) / 1000;
  const atRetention = out.daily.find((d) => d.day === o.rawRetentionDays)?.bytes ?? Number.NaN;
  const last = out.daily.at(-1)?.bytes ?? Number.NaN;
  // Raw samples (and everything else) scale to 90 days; minute rollups to their default 35.
  const t = out.tablesAtRetention;
  out.projected90dBytes =
    ((t.samples + t.other) / o.rawRetentionDays) * 90 + (t.minute / o.rawRetentionDays) * 35;
  out.growthAfterRetention = (last - atRetention) / atRetention;
  const perDayAfter = (last - atRetention) / Math.max(1, o.days - o.rawRetentionDays);
  out.dailyGrowthRatio = perDayAfter / (atRetention / o.rawRetentionDays);
  return out;
}
