/** Targets, tables and the README section of the alerts benchmark. */

import { consoleTable, markdownTable } from '../checks/report.js';
import { type RunHeader, readmeSection as sharedSection } from '../lib/harness.js';
import type { InstancesResult } from './instances.js';
import type { CheckTrials, LatencyStats, MetricTrials } from './trials.js';

export { consoleTable };

export interface AlertTarget {
  name: string;
  description: string;
  value: number;
  unit: string;
  threshold: number;
  met: boolean;
}

export interface AlertsResults extends RunHeader {
  daemonStartupS: number;
  metric: MetricTrials;
  check: CheckTrials | null;
  instances: InstancesResult | null;
  targets: AlertTarget[];
  notes: string[];
}

export function targets(r: Pick<AlertsResults, 'metric' | 'check'>): AlertTarget[] {
  const t = (name: string, description: string, value: number, threshold: number): AlertTarget => ({
    name,
    description,
    value,
    unit: 'ms',
    threshold,
    met: value < threshold,
  });
  const out = [
    t('metric-p99', 'metric rule: sample posted → webhook arrived, p99 < 1 s', r.metric.fire.p99Ms, 1000),
    t('metric-seed003', 'metric rule: p99 < 30 s (seed 003)', r.metric.fire.p99Ms, 30_000),
  ];
  if (r.check)
    out.push(
      t(
        'check-seed003',
        `check rule: target down → webhook arrived, p99 < 30 s (seed 003; includes up to one ${r.check.intervalMs / 1000} s check interval)`,
        r.check.fromSwitch.p99Ms,
        30_000,
      ),
    );
  return out;
}

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '?');
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '?');
const int = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '?');

export function latencyTable(r: AlertsResults) {
  const row = (name: string, s: LatencyStats) => [
    name,
    String(s.n),
    f1(s.p50Ms),
    f1(s.p99Ms),
    f1(s.maxMs),
    f1(s.meanMs),
    f1(s.minMs),
  ];
  const rows = [
    row('metric rule: POST of the crossing sample → firing webhook', r.metric.fire),
    row('  (the POST /api/v1/metrics round trip alone)', r.metric.post),
    row('metric rule: POST of a sample under the threshold → resolved webhook', r.metric.resolve),
  ];
  if (r.check) {
    const s = r.check.intervalMs / 1000;
    rows.push(
      row(`check rule (${s} s interval): target switched to 503 → firing webhook`, r.check.fromSwitch),
      row('  from the first 503 the target served (probe) → firing webhook', r.check.fromProbe),
      row('check rule: target switched back to 200 → resolved webhook', r.check.resolve),
    );
  }
  return {
    head: ['path', 'trials', 'p50 ms', 'p99 ms', 'max ms', 'mean ms', 'min ms'],
    rows,
    numeric: [1, 2, 3, 4, 5, 6],
  };
}

export function instancesTable(x: InstancesResult) {
  const ing = (f: InstancesResult['rule']) =>
    `${int(f.samplesPerS)} samples/s (${int(f.samples)} in ${f2(f.wallS)} s); daemon CPU ${f2(f.cpuS)} s = ${f2(f.cpuUsPerSample)} µs/sample`;
  return {
    head: [`${int(x.instances)} active alert instances`, 'result'],
    rows: [
      [
        'fire them (bench_load > 0, one new series each)',
        `${f2(x.createWallS)} s, daemon CPU ${f2(x.createCpuS)} s (${int(x.createBatch)} samples a POST); ${int(x.triggered)} triggered in the API`,
      ],
      [
        'grouped notifications (group_by [alertname], group_wait 1s)',
        `${x.bulkRequests} webhook request${x.bulkRequests === 1 ? '' : 's'} carrying ${int(x.bulkAlerts)} alerts`,
      ],
      [`ingest, samples for firing series (rule load-high), ${int(x.evalBatch)} a POST`, ing(x.rule)],
      [`ingest, samples no rule reads (bench_other), ${int(x.evalBatch)} a POST`, ing(x.other)],
      ['evaluation cost per incoming sample (difference)', `${f2(x.evalUsPerSample)} µs CPU/sample`],
      [
        'daemon memory',
        `VmRSS ${f1(x.rssMiB)} MiB, VmHWM ${f1(x.hwmMiB)} MiB (VmRSS ${f1(x.rssBeforeMiB)} MiB before the instances)`,
      ],
    ],
    numeric: [],
  };
}

export function targetLines(ts: AlertTarget[]): string[] {
  return ts.map((t) => `${t.met ? 'met' : 'NOT met'}: ${t.description} — measured ${f1(t.value)} ${t.unit}`);
}

const ABOUT = `## Alerts (\`bench/alerts.ts\`)

What it measures, against one \`steward daemon\` (built CLI, host metrics off, \`alerts.defaults: false\`):

* a local peer in its own process (\`bench/alerts/receiver.mjs\`): a webhook receiver stamping each request's
  arrival (wall clock, sub-ms) with the alert kind and labels from the JSON body, and a health target that
  answers 200, or 503 once switched down; one webhook channel points at it, routed with \`match: {}\`,
  \`group_wait: 0s\`, \`repeat: 24h\`;
* **metric rule** (\`bench_value > 100\`, no \`for\`), 200 trials: trial i posts one sample of 150 for a new
  series \`{trial="i"}\` (a new alert instance) and the latency is the \`firing\` webhook's arrival minus the
  moment just before the \`POST /api/v1/metrics\`; then a sample of 50 is posted and the \`resolved\` webhook
  awaited (also timed), so no instance stays open and trials never overlap;
* **check rule** (\`http\` check of the target, \`interval: 1s\`, \`timeout: 500ms\`, \`failure_threshold: 1\`;
  rule \`state: down\`), 20 trials: after a random 0–1 s pause the target is switched to 503; the latency from
  the switch includes the wait for the next probe (up to one interval) by design; the latency from the first
  503 the target served excludes that wait (probe, state change, evaluation, notification); then the target
  is switched back and the \`resolved\` webhook awaited;
* **10,000 active alert instances** (rule \`bench_load > 0\`, one series \`{i="n"}\` each, 1,000 samples a POST,
  routed to a second webhook channel with \`group_by: [alertname]\`, \`group_wait: 1s\`): the time and daemon
  CPU to fire them, then 100,000 samples for those firing series (values stay > 0: no state changes) and
  100,000 for a metric no rule reads (\`bench_other\`, same labels and timestamps), 10,000 a POST,
  alternating POST by POST after one warm-up POST each; the daemon CPU (utime + stime from
  \`/proc/<pid>/stat\`) per sample of the first minus the second is the evaluation cost; VmRSS and VmHWM
  with the instances open.

The targets (metric rule p99 < 1 s; seed 003: < 30 s) are reported as met or not met, never asserted.

Run it:

\`\`\`sh
npm run bench:alerts                        # a few minutes
npm run bench:alerts -- --quick             # smoke test: 20 + 3 trials, 1,000 instances, nothing written
npm run bench:alerts -- --help              # every flag
\`\`\`

Raw figures (every trial, the config used, the machine): [results/alerts.json](results/alerts.json).`;

export function readmeSection(r: AlertsResults): string {
  return sharedSection({
    about: ABOUT,
    machine: r.machine,
    measuredAt: r.measuredAt,
    loadavg: r.loadavg,
    config: r.config,
    tables: [
      markdownTable(latencyTable(r)),
      ...(r.instances ? [markdownTable(instancesTable(r.instances))] : []),
    ],
    targetLines: targetLines(r.targets),
    notes: r.notes,
  });
}
