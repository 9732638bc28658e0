/** The deploy benchmark's console summary and README section. */
import { type Machine, readmeSection as section } from '../lib/harness.js';
import type { BlueGreenResult } from './bluegreen.js';
import type { ComposeResult } from './compose.js';
import type { WebhookResult } from './webhook.js';

export interface DeployResults {
  machine: Machine;
  measuredAt: string;
  loadavg: { start: number[]; end: number[] };
  config: Record<string, number>;
  blueGreen: BlueGreenResult;
  compose: ComposeResult;
  webhook: WebhookResult;
  daemon: { peakRssMiB: number; rssMiB: number };
}

const ms = (x: number) => `${Math.round(x)} ms`;
const failedOf = (f: { errors: number; timeouts: number; non2xx: number }) =>
  f.errors + f.timeouts + f.non2xx;

function tables(r: DeployResults): string[] {
  const bg = r.blueGreen;
  const c = r.compose;
  const h = r.webhook;
  return [
    [
      `(a) Native blue/green through Steward's proxy, autocannon ${bg.connections} connections, ${bg.durationS} s windows:`,
      '',
      '| window | requests | failed (errors + timeouts + non-2xx) | p50 | p99 | max | req/s |',
      '|---|---:|---:|---:|---:|---:|---:|',
      `| steady | ${bg.steady.requests} | ${failedOf(bg.steady)} | ${bg.steady.p50Ms} ms | ${bg.steady.p99Ms} ms | ${bg.steady.maxMs} ms | ${Math.round(bg.steady.rps)} |`,
      `| across the switch (done at ${bg.switching.switchedAtS.toFixed(1)} s) | ${bg.switching.requests} | ${failedOf(bg.switching)} | ${bg.switching.p50Ms} ms | ${bg.switching.p99Ms} ms | ${bg.switching.maxMs} ms | ${Math.round(bg.switching.rps)} |`,
    ].join('\n'),
    [
      `(b) Compose redeploy of one service (new content), ${c.trials} trials each, probe every 10 ms:`,
      '',
      '| way | window without a successful response (median) | each trial | command/deployment took (median) |',
      '|---|---:|---|---:|',
      `| Steward (API → Live, health-gated) | ${ms(c.stewardMedianMs)} | ${c.steward.map((s) => Math.round(s.windowMs)).join(', ')} | ${ms(median(c.steward.map((s) => s.tookMs)))} |`,
      `| plain \`docker-compose up -d\` | ${ms(c.plainMedianMs)} | ${c.plain.map((s) => Math.round(s.windowMs)).join(', ')} | ${ms(median(c.plain.map((s) => s.tookMs)))} |`,
      `| ratio Steward ÷ plain | ${(c.stewardMedianMs / c.plainMedianMs).toFixed(2)}× | | |`,
    ].join('\n'),
    [
      `(c) Webhook → final state, ${h.trials} trials each (from the POST to the deployment's end):`,
      '',
      '| case | median | each trial | 202 answered within (max) |',
      '|---|---:|---|---:|',
      `| one native service changed (blue/green, 2 passes at 250 ms) | ${ms(h.changeMedianMs)} | ${h.changeMs.map(Math.round).join(', ')} | ${ms(h.ackMaxMs)} |`,
      `| no-op (nothing changed) | ${ms(h.noopMedianMs)} | ${h.noopMs.map(Math.round).join(', ')} | |`,
    ].join('\n'),
    `Daemon peak RSS over the run: ${r.daemon.peakRssMiB.toFixed(1)} MiB.`,
  ];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length
    ? ((s[Math.floor((s.length - 1) / 2)] ?? 0) + (s[Math.ceil((s.length - 1) / 2)] ?? 0)) / 2
    : 0;
}

function targetLines(r: DeployResults): string[] {
  const failed = failedOf(r.blueGreen.switching);
  return [
    `blue/green: 0 failed requests across the switch — ${failed === 0 ? 'met' : `**not met** (${failed})`}; p99 ${r.blueGreen.switching.p99Ms} ms across the switch vs ${r.blueGreen.steady.p99Ms} ms steady`,
    `compose: Steward's window no longer than plain compose's — ${r.compose.stewardMedianMs <= r.compose.plainMedianMs ? 'met' : '**not met**'} (${ms(r.compose.stewardMedianMs)} vs ${ms(r.compose.plainMedianMs)}); seed 000 allows < 5 s — ${r.compose.stewardMedianMs < 5000 ? 'met' : '**not met**'}`,
    `webhook no-op < 1 s — ${r.webhook.noopMedianMs < 1000 ? 'met' : '**not met**'} (${ms(r.webhook.noopMedianMs)} median)`,
  ];
}

export function readmeSection(r: DeployResults): string {
  return section({
    about:
      '## Deployments (`npm run bench:deploy`)\n\nOne run, one daemon (native blue/green `api`, compose `web` on a private dockerd with docker-compose v1), a local git repository, signed GitHub webhooks. The compose service runs busybox httpd on the host network; the plain baseline is the same file in another project, changed the same way.',
    machine: r.machine,
    measuredAt: r.measuredAt,
    loadavg: r.loadavg,
    config: r.config,
    tables: tables(r),
    targetLines: targetLines(r),
    notes: [
      "The compose window is the longest gap between two successful probes, so it includes the old container stopping (stop_grace_period 1 s) and the new one starting; Steward runs the same `up -d --no-deps` and then gates, so its window is compose's own.",
      'A webhook answer is 202 with the deployment id before anything is fetched; the time to Live includes the git fetch, the export of the tree, the release install and the health gate.',
    ],
  });
}

export function consoleSummary(r: DeployResults): string {
  return tables(r).join('\n\n');
}
