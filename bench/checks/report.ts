/** Targets, tables and the README section of the checks benchmark. */
import { type RunHeader, readmeSection as sharedSection } from '../lib/harness.js';
import type { BaselineRun, StewardRun } from './live.js';
import type { IngestResult, QueryFigures, SizeResult } from './store.js';

export interface CheckTarget {
  name: string;
  description: string;
  value: number;
  unit: string;
  comparison: '<=' | '<' | '>=';
  threshold: number;
  met: boolean;
  /** False when the run it comes from was invalid (not every check up). */
  validRun: boolean;
}

export interface ChecksResults extends RunHeader {
  live: { steward: StewardRun; baseline: BaselineRun; small: StewardRun };
  store: { ingest: IngestResult; query: QueryFigures; size: SizeResult };
  targets: CheckTarget[];
  notes: string[];
}

function target(
  name: string,
  description: string,
  value: number,
  unit: string,
  comparison: CheckTarget['comparison'],
  threshold: number,
  validRun = true,
): CheckTarget {
  const met =
    comparison === '<=' ? value <= threshold : comparison === '<' ? value < threshold : value >= threshold;
  return { name, description, value, unit, comparison, threshold, met, validRun };
}

export function targets(r: Omit<ChecksResults, 'targets' | 'notes'>): CheckTarget[] {
  const { steward, baseline, small } = r.live;
  const n = steward.checks;
  return [
    target(
      'cpu-ratio',
      `Steward CPU ≤ 1.5× the baseline's at ${n} checks`,
      steward.cpuCores / baseline.cpuCores,
      '×',
      '<=',
      1.5,
      steward.valid,
    ),
    target(
      'lag-p99',
      `schedule lag p99 < 100 ms at ${n} checks`,
      steward.lagP99Ms,
      'ms',
      '<',
      100,
      steward.valid,
    ),
    target(
      'rss-large',
      `Steward peak RSS < 150 MiB at ${n} checks`,
      steward.peakRssMiB,
      'MiB',
      '<',
      150,
      steward.valid,
    ),
    target(
      'rss-small',
      `Steward peak RSS < 80 MiB at ${small.checks} checks + host metrics`,
      small.peakRssMiB,
      'MiB',
      '<',
      80,
      small.valid,
    ),
    target(
      'ingest-json',
      'ingest ≥ 100,000 samples/s (JSON)',
      r.store.ingest.json.samplesPerS,
      '/s',
      '>=',
      100_000,
    ),
    target(
      'ingest-lp',
      'ingest ≥ 100,000 samples/s (line protocol)',
      r.store.ingest.lineProtocol.samplesPerS,
      '/s',
      '>=',
      100_000,
    ),
    target(
      'query-30d',
      '30-day query at 1-min step < 50 ms (queryMetrics)',
      r.store.query.medianMs,
      'ms',
      '<',
      50,
    ),
    target(
      'size-bounded',
      `DB size bounded by retention: growth a day after day ${r.store.size.rawRetentionDays} (raw retention reached) < 10% of the growth a day before it`,
      r.store.size.dailyGrowthRatio * 100,
      '%',
      '<',
      10,
    ),
  ];
}

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '?');
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '?');
const mb = (bytes: number) => `${f1(bytes / 1e6)} MB`;
const int = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '?');

interface Table {
  head: string[];
  rows: string[][];
  /** Columns aligned right. */
  numeric: number[];
}

export function liveTable(r: ChecksResults): Table {
  const { steward: s, baseline: b, small } = r.live;
  const stewardRow = (x: StewardRun, name: string) => [
    name,
    String(x.checks),
    f2(x.cpuCores),
    f1(x.peakRssMiB),
    f1(x.maxRssMiB),
    `${f1(x.lagP50Ms)} / ${f1(x.lagP99Ms)}`,
    f1(x.probesPerS),
    `${x.skippedTotal} skipped`,
    `${x.up}/${x.checks}${x.valid ? '' : ' (INVALID)'}`,
    f2(x.targetCores),
    f2(x.othersCores),
  ];
  return {
    head: [
      'run',
      'checks',
      'CPU, cores',
      'peak RSS MiB',
      'max VmRSS in window MiB',
      'lag p50 / p99 ms',
      'probes/s',
      'failed / skipped',
      'up',
      'target, cores',
      'others, cores',
    ],
    rows: [
      stewardRow(s, 'Steward'),
      [
        'baseline (fetch/net)',
        String(b.checks),
        f2(b.cpuCores),
        f1(b.peakRssMiB),
        f1(b.maxRssMiB),
        `${f1(b.lagP50Ms ?? Number.NaN)} / ${f1(b.lagP99Ms ?? Number.NaN)}`,
        f1(b.probesPerS),
        `${b.failed} failed`,
        '—',
        f2(b.targetCores),
        f2(b.othersCores),
      ],
      stewardRow(small, 'Steward + host metrics'),
    ],
    numeric: [1, 2, 3, 4, 5, 6, 9, 10],
  };
}

export function storeTable(r: ChecksResults): Table {
  const { ingest, query, size } = r.store;
  const ing = (x: typeof ingest.json) =>
    `${int(x.samplesPerS)} samples/s (${int(x.samples)} in ${f2(x.seconds)} s, daemon CPU ${f1(x.daemonCpuS)} s)`;
  const q = (x: QueryFigures) =>
    `${f1(x.medianMs)} ms median (${x.points} points over ${x.samples} raw samples, read from ${x.source === 'raw' ? 'them' : `the ${x.source} rollups`}; runs ${x.runsMs.map(f1).join(', ')})`;
  const marks = size.marks.map((m) => `day ${m.day}: ${mb(m.bytes)}`).join(', ');
  return {
    head: ['store', 'result'],
    rows: [
      [`ingest, JSON, ${int(ingest.batch)} a batch`, ing(ingest.json)],
      [`ingest, line protocol, ${int(ingest.batch)} a batch`, ing(ingest.lineProtocol)],
      ['30-day query, 1-min step, avg (queryMetrics)', q(query)],
      ['30-day query, 1-min step, avg (HTTP API)', q(ingest.httpQuery)],
      [
        `size, ${size.checks} checks at ${size.checkIntervalS}s + ${size.hostSeries} host series at ${size.hostIntervalS}s, raw retention ${size.rawRetentionDays}d`,
        `${marks}; from day ${size.rawRetentionDays} on: +${f1(size.growthAfterRetention * 100)}% in all, ${f1(size.dailyGrowthRatio * 100)}% of the daily growth before it; ${int(size.samplesWritten)} samples written in ${f1(size.seconds)} s`,
      ],
      [
        'projected size at the default raw retention (90d)',
        `${mb(size.projected90dBytes)} (day ${size.rawRetentionDays}: raw samples and the rest ÷ ${size.rawRetentionDays} × 90, minute rollups ÷ ${size.rawRetentionDays} × 35)`,
      ],
    ],
    numeric: [],
  };
}

export function consoleTable(t: Table): string {
  const all = [t.head, ...t.rows];
  const widths = t.head.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => (t.numeric.includes(c) ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)))
      .join('  ');
  return [line(t.head), widths.map((w) => '-'.repeat(w)).join('  '), ...t.rows.map(line)].join('\n');
}

export function markdownTable(t: Table): string {
  const line = (r: string[]) => `| ${r.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
  const align = `|${t.head.map((_, c) => (t.numeric.includes(c) ? '---:' : '---')).join('|')}|`;
  return [line(t.head), align, ...t.rows.map(line)].join('\n');
}

export function targetLines(ts: CheckTarget[]): string[] {
  return ts.map((t) => {
    const value = t.unit === '/s' ? `${int(t.value)}${t.unit}` : `${f2(t.value)} ${t.unit}`;
    const verdict = t.met ? 'met' : 'NOT met';
    return `${verdict}${t.validRun ? '' : ' (invalid run: not every check was up)'}: ${t.description} — measured ${value}`;
  });
}

const ABOUT = `## Checks (\`bench/checks.ts\`)

What it measures, in one run:

* a local target in its own process: HTTP on 127.0.0.1 answering 200 "ok" with \`Connection: close\`, so
  every probe — Steward's and the baseline's — opens a new connection, and a TCP port that accepts and closes;
* **Steward** (\`steward daemon\`, built CLI) with N checks (default 5,000; even ones \`http\`, odd ones \`tcp\`,
  \`interval: 10s\`, \`timeout: 5s\`), host metrics off; after a warm-up of one interval, over a window
  (default 120 s): CPU (utime + stime from \`/proc/<pid>/stat\` ÷ window, in cores), peak RSS (\`VmHWM\`
  at the end; the largest \`VmRSS\` sampled each second in the window is shown too), schedule lag p50/p99
  (\`steward_check_schedule_lag_seconds\` from \`/metrics\` at the end of the window: a sliding 10-minute
  summary, so it includes start-up and warm-up), probes/s, which is also the write rate (latency samples stored with a timestamp in the
  window, counted in the SQLite file after the daemon stopped), \`steward_check_skipped_total\`, and the
  check states from \`GET /api/v1/checks\` — a run where not every check is \`up\` is reported invalid;
* **baseline**: a plain Node process doing the same probes at the same schedule (each check at a fixed
  phase spread over the interval, like Steward's scheduler): global \`fetch\` with
  \`AbortSignal.timeout\` reading the body, \`net.connect\` then \`end\`; nothing else. It is the floor cost
  of the work; same warm-up, window and /proc measurement;
* **Steward small**: 50 checks and \`host_metrics: { interval: 15s, filesystems: ["/"] }\`, shorter window
  (default 60 s): peak RSS and CPU;
* **store**: samples/s ingested through \`POST /api/v1/metrics\` (operator token, batches of 10,000, 100
  series, sequential, JSON then line protocol; request bodies built before timing); a 30-day query at a
  1-minute step (\`avg\`) over one series of 15 s samples through \`queryMetrics\` on a store file (median
  of 5 after a warm-up) and through \`GET /api/v1/metrics/query\`; the database size after simulated days of
  100 check latency series plus the real host series set (from the host collector), written hour by hour
  with a manual clock and pruned hourly as the daemon's \`metrics:prune\` does, with raw retention shortened
  (30d by default) so the plateau shows; the size with the default 90d raw retention is projected.

"target, cores" is the target process's CPU; "others, cores" is the rest of the machine (busy and stolen
time from \`/proc/stat\` minus the measured process and the target): high values mean the row was slowed by
other work on the 2 shared cores. The targets (Steward CPU ≤ 1.5× the baseline's, lag p99 < 100 ms, peak
RSS < 150 MiB at 5,000 checks and < 80 MiB at 50 checks with host metrics, ingest ≥ 100,000 samples/s,
30-day query < 50 ms, size bounded by retention: once raw retention is reached the daily growth is under
10% of what it was before — the hourly rollups, kept 365d, still add a little) are reported as met or not met, never asserted.

Run it:

\`\`\`sh
npm run bench:checks                        # several minutes
npm run bench:checks -- --window 300        # a longer measuring window
npm run bench:checks -- --quick             # smoke test: 500 checks, short windows, nothing written
npm run bench:checks -- --quick --out /tmp/x   # the same, results and a README copy written to /tmp/x
npm run bench:checks -- --help              # every flag (check count, windows, ingest size, simulated days)
\`\`\`

Raw figures (every run, the config used, the machine): [results/checks.json](results/checks.json).`;

export function readmeSection(r: ChecksResults): string {
  return sharedSection({
    about: ABOUT,
    machine: r.machine,
    measuredAt: r.measuredAt,
    loadavg: r.loadavg,
    config: r.config,
    tables: [markdownTable(liveTable(r)), markdownTable(storeTable(r))],
    targetLines: targetLines(r.targets),
    notes: r.notes,
  });
}
