/**
 * Alerts benchmark: time from a threshold-crossing sample (and from a check target going down)
 * to the webhook request arriving at a local receiver; and, with 10,000 active alert instances,
 * the evaluation cost per incoming sample and the daemon's RSS. See bench/README.md.
 *
 *   npm run bench:alerts                       # 200 + 20 trials, 10,000 instances; a few minutes
 *   npm run bench:alerts -- --quick            # smoke test: small and short, nothing written
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureInstances } from './alerts/instances.js';
import {
  type AlertsResults,
  consoleTable,
  instancesTable,
  latencyTable,
  readmeSection,
  targetLines,
  targets,
} from './alerts/report.js';
import { checkTrials, metricTrials, Receiver } from './alerts/trials.js';
import { startDaemon } from './checks/live.js';
import { killChildren } from './checks/proc.js';
import { parseBenchArgs } from './lib/args.js';
import { finishRun, machineInfo, runBench, saveResults } from './lib/harness.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist/cli/main.js');
const RESULTS_FILE = path.join(ROOT, 'bench/results/alerts.json');
const README = path.join(ROOT, 'bench/README.md');
const CHECK_INTERVAL_MS = 1000;

interface Options {
  trials: number;
  checkTrials: number;
  instances: number;
  createBatch: number;
  samples: number;
  batch: number;
  quick: boolean;
  save: boolean;
  keep: boolean;
  /** Write alerts.json and a copy of bench/README.md there instead (also with --quick). */
  out: string | null;
}

const USAGE = `usage: npm run bench:alerts [-- options]
  --trials N          metric-rule trials (default 200)
  --check-trials N    check-rule trials, each a down/up cycle of a 1 s check (default 20; 0 skips them)
  --instances N       active alert instances, at most 10000 (default 10000; 0 skips that part)
  --create-batch N    crossing samples per POST when firing the instances (default 1000)
  --samples N         samples posted to the firing series, and as many to a metric no rule
                      reads, for the evaluation cost (default 100000)
  --batch N           samples per POST for those (default 10000)
  --quick             smoke test: 20 trials, 3 check trials, 1000 instances, 10000 samples;
                      implies --no-save
  --no-save           print only; do not write bench/results/alerts.json or bench/README.md
  --keep              keep the temporary directory (config, daemon log, database)
  --out DIR           write alerts.json and a copy of bench/README.md with the section into DIR
                      instead of bench/ (works with --quick)`;

function parseArgs(argv: string[]): Options {
  const o = parseBenchArgs(
    argv,
    { trials: 200, checkTrials: 20, instances: 10_000, createBatch: 1000, samples: 100_000, batch: 10_000 },
    { trials: 20, checkTrials: 3, instances: 1000, samples: 10_000 },
    USAGE,
    { zeroOk: ['checkTrials', 'instances'] },
  );
  return o;
}

function configText(port: number, rx: string): string {
  return `version: 1
name: bench-alerts
data_dir: ./data
server:
  listen: 127.0.0.1:${port}
host_metrics: { enabled: false }
checks:
  target: { type: http, url: "${rx}/health", interval: ${CHECK_INTERVAL_MS / 1000}s, timeout: 500ms, failure_threshold: 1 }
alerts:
  defaults: false
  channels:
    hook: { type: webhook, url: "${rx}/hook" }
    bulk: { type: webhook, url: "${rx}/bulk" }
  routes:
    - match: { alertname: load-high }
      notify: [bulk]
      group_by: [alertname]
      group_wait: 1s
      repeat: 24h
    - match: {}
      notify: [hook]
      group_wait: 0s
      repeat: 24h
  rules:
    value-high: { metric: bench_value, op: ">", value: 100, severity: critical }
    target-down: { check: target, state: down, severity: critical }
    load-high: { metric: bench_load, op: ">", value: 0, severity: info }
`;
}

const NOTES = [
  'One run on the machine described under "machine"; the 2 cores are shared with other work, so the tails (p99, max) are the most sensitive figures.',
  'Latencies are wall-clock differences between this process (just before the POST, or the switch as stamped by the receiver) and the receiver stamping the webhook request when its headers arrived; both processes read the same system clock (performance.timeOrigin + performance.now()).',
  'Quantiles are nearest-rank: p99 of 200 trials is the 198th smallest. Every trial is in results/alerts.json.',
  'Metric trials are resolved (a sample of 50) before the next trial starts, so at most one value-high instance is firing at a time; the resolve latency is measured the same way.',
  'Check trials: the switch-to-firing latency includes the wait for the next probe (uniform 0–1 s: each trial pauses a random 0–1 s first), then the probe, the state change, evaluation and the notification; the probe-to-firing row starts at the first 503 the target served, which removes the wait.',
  'Evaluation cost: daemon CPU is read from /proc/<pid>/stat (10 ms ticks) around each POST; POSTs to the firing series and to bench_other alternate, so background work (the 1 s check, the periodic reconcile over the open alerts) falls on both sides alike. Everything else in the request (HTTP, JSON, SQLite insert) is the same for both.',
];

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-bench-alerts-'));
  const loadStart = os.loadavg();
  console.log(
    `steward alerts benchmark${o.quick ? ' (quick)' : ''}: ${o.trials} metric trials, ${o.checkTrials} check trials, ${o.instances} instances; ${os.cpus().length} CPUs, load ${loadStart.map((n) => n.toFixed(2)).join(' ')}; temp dir ${work}`,
  );
  try {
    const rx = await Receiver.start(ROOT);
    const d = await startDaemon(CLI, path.join(work, 'daemon'), (port) => configText(port, rx.url));
    const token = d.token('operator');
    console.log(`receiver ${rx.url}; daemon ${d.url} (ready in ${d.startupS.toFixed(2)} s)`);
    const metric = await metricTrials(d, token, rx, o.trials);
    const check = o.checkTrials ? await checkTrials(d, token, rx, o.checkTrials, CHECK_INTERVAL_MS) : null;
    const instances = o.instances
      ? await measureInstances(d, token, rx, {
          instances: o.instances,
          createBatch: o.createBatch,
          samples: o.samples,
          evalBatch: o.batch,
        })
      : null;
    await d.child.stop();
    await rx.child.stop();
    const partial = {
      machine: machineInfo(),
      config: { ...o, save: undefined, keep: undefined, out: undefined, checkIntervalMs: CHECK_INTERVAL_MS },
      measuredAt: new Date().toISOString(),
      loadavg: { start: loadStart, end: os.loadavg() },
      daemonStartupS: d.startupS,
      metric,
      check,
      instances,
    };
    const results: AlertsResults = { ...partial, targets: targets(partial), notes: NOTES };
    console.log(`\n${consoleTable(latencyTable(results))}`);
    if (instances) console.log(`\n${consoleTable(instancesTable(instances))}`);
    console.log('');
    for (const l of targetLines(results.targets)) console.log(`  ${l}`);
    if (o.save) {
      saveResults({
        name: 'alerts',
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
