/**
 * Checks benchmark: Steward running thousands of HTTP/TCP checks against a local target, next to
 * a plain fetch/net baseline doing the same probes, plus the metrics store (ingest, a 30-day
 * query, size over simulated days). See bench/README.md.
 *
 *   npm run bench:checks                       # 5,000 checks, 120 s window; a few minutes
 *   npm run bench:checks -- --quick            # smoke test: small and short, nothing written
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LiveOptions, runBaseline, runSteward, startTarget } from './checks/live.js';
import { killChildren } from './checks/proc.js';
import {
  type ChecksResults,
  consoleTable,
  liveTable,
  readmeSection,
  storeTable,
  targetLines,
  targets,
} from './checks/report.js';
import { measureIngest, measureQuery, measureSize } from './checks/store.js';
import { parseBenchArgs } from './lib/args.js';
import { finishRun, machineInfo, runBench, saveResults } from './lib/harness.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist/cli/main.js');
const RESULTS_FILE = path.join(ROOT, 'bench/results/checks.json');
const README = path.join(ROOT, 'bench/README.md');

interface Options {
  checks: number;
  windowS: number;
  warmupS: number;
  smallChecks: number;
  smallWindowS: number;
  ingestSamples: number;
  batch: number;
  simDays: number;
  simRetentionDays: number;
  simChecks: number;
  simCheckIntervalS: number;
  quick: boolean;
  save: boolean;
  keep: boolean;
  /** Write checks.json and a copy of bench/README.md there instead (also with --quick). */
  out: string | null;
}

const USAGE = `usage: npm run bench:checks [-- options]
  --checks N               checks in the large run (default 5000; half http, half tcp; 10s interval)
  --window S               measuring window of the large run and the baseline, seconds (default 120)
  --warmup S               warm-up before each window, seconds (default 12: one interval and a little)
  --small-checks N         checks in the small run with host metrics (default 50)
  --small-window S         measuring window of the small run (default 60)
  --ingest-samples N       samples posted per format (default 500000)
  --batch N                samples per POST (default 10000)
  --sim-days D             simulated days for the database size (default 90)
  --sim-retention D        raw retention during the simulation, days (default 30)
  --sim-checks N           check series in the simulation (default 100)
  --sim-check-interval S   interval of the simulated checks, seconds (default 30)
  --quick                  smoke test: 500 checks, 20 s window, 10 s small window, 50000 samples,
                           3 simulated days at 1d retention; implies --no-save
  --no-save                print only; do not write bench/results/checks.json or bench/README.md
  --keep                   keep the temporary directory (configs, daemon logs, databases)
  --out DIR                write checks.json and a copy of bench/README.md with the section into DIR
                           instead of bench/ (works with --quick: a way to try the output)`;

function parseArgs(argv: string[]): Options {
  const o = parseBenchArgs(
    argv,
    {
      checks: 5000,
      windowS: 120,
      warmupS: 12,
      smallChecks: 50,
      smallWindowS: 60,
      ingestSamples: 500_000,
      batch: 10_000,
      simDays: 90,
      simRetentionDays: 30,
      simChecks: 100,
      simCheckIntervalS: 30,
    },
    { checks: 500, windowS: 20, smallWindowS: 10, ingestSamples: 50_000, simDays: 3, simRetentionDays: 1 },
    USAGE,
    {
      flagNames: {
        windowS: '--window',
        warmupS: '--warmup',
        smallWindowS: '--small-window',
        simRetentionDays: '--sim-retention',
        simCheckIntervalS: '--sim-check-interval',
      },
    },
  );
  if (o.simRetentionDays > o.simDays) throw new Error('--sim-retention must not exceed --sim-days');
  return o;
}

const NOTES = [
  'One run on the machine described under "machine"; absolute figures depend on it. The Steward ÷ baseline CPU ratio is the figure meant to be compared.',
  'The target answers with `Connection: close`: every HTTP probe (Steward and baseline) opens a new TCP connection, as does every TCP probe.',
  "CPU is the process's utime + stime (all threads) over the window, from /proc/<pid>/stat; 1.0 = one core busy. Peak RSS is VmHWM at the end of the window, so it includes start-up.",
  "Schedule lag p50/p99 come from the daemon's own summary (sliding 10 minutes, read at the end of the window), so they include start-up and warm-up; the baseline's lag is its own measure (ms resolution, window only).",
  'Steward probes/s counts the steward_check_latency_seconds samples stored with a timestamp (probe completion) inside the window; the baseline counts probes started in the window.',
  'Ingest: request bodies are built before timing; POSTs are sequential over one keep-alive connection; the figure includes HTTP, parsing, validation and the SQLite transaction.',
  'Size: samples are written one hour per transaction (the daemon writes smaller batches: check results every second, host metrics every interval); pruning runs after every simulated hour as metrics:prune does; sizes are the DB file plus its WAL after wal_checkpoint(TRUNCATE). Minute rollups are kept as long as the raw samples here (their default is 35d, so at the default 90d raw retention the projection over-counts them); hourly rollups (365d retention) keep growing slowly past the raw retention.',
];

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-bench-checks-'));
  const loadStart = os.loadavg();
  console.log(
    `steward checks benchmark${o.quick ? ' (quick)' : ''}: ${o.checks} checks, window ${o.windowS} s; ${os.cpus().length} CPUs, load ${loadStart.map((n) => n.toFixed(2)).join(' ')}; temp dir ${work}`,
  );
  try {
    const target = await startTarget(ROOT);
    const live: LiveOptions = {
      root: ROOT,
      cli: CLI,
      work,
      target,
      checks: o.checks,
      windowS: o.windowS,
      warmupS: o.warmupS,
      intervalS: 10,
      timeoutS: 5,
    };
    console.log(`target: ${target.httpUrl}, tcp ${target.tcpPort}`);
    const steward = await runSteward(live, false, 'steward');
    const baseline = await runBaseline(live);
    const small = await runSteward(
      { ...live, checks: o.smallChecks, windowS: o.smallWindowS },
      true,
      'steward-small',
    );
    await target.child.stop();
    console.log('store');
    const ingest = await measureIngest(CLI, work, o.ingestSamples, o.batch);
    const query = measureQuery(work);
    const size = await measureSize(work, {
      days: o.simDays,
      rawRetentionDays: o.simRetentionDays,
      checks: o.simChecks,
      checkIntervalS: o.simCheckIntervalS,
      hostIntervalS: 15,
    });
    const partial = {
      machine: machineInfo(),
      config: { ...o, save: undefined, keep: undefined, out: undefined, intervalS: 10, timeoutS: 5 },
      measuredAt: new Date().toISOString(),
      loadavg: { start: loadStart, end: os.loadavg() },
      live: { steward, baseline, small },
      store: { ingest, query, size },
    };
    const results: ChecksResults = { ...partial, targets: targets(partial), notes: NOTES };
    console.log(`\n${consoleTable(liveTable(results))}\n\n${consoleTable(storeTable(results))}\n`);
    for (const l of targetLines(results.targets)) console.log(`  ${l}`);
    if (o.save) {
      saveResults({
        name: 'checks',
        results,
        resultsFile: RESULTS_FILE,
        readme: README,
        out: o.out,
        section: readmeSection(results),
      });
    }
  } finally {
    finishRun(work, o.keep, killChildren);
  }
}

runBench(main, killChildren);
