/**
 * Deploy benchmark: (a) a native blue/green switch under autocannon load — failed requests and
 * p99 across the switch against steady state; (b) a compose service redeployed through Steward
 * against a plain `docker-compose up -d` of the same change — the window without a successful
 * response; (c) webhook → Live for a one-service change and for a no-op. See bench/README.md.
 *
 *   npm run bench:deploy                 # 10 s load windows, 5 compose trials, 10 webhook trials
 *   npm run bench:deploy -- --quick      # smoke test: short and few, nothing written
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { killChildren, memory } from './checks/proc.js';
import { blueGreen } from './deploy/bluegreen.js';
import { composeRedeploy } from './deploy/compose.js';
import { consoleSummary, readmeSection } from './deploy/report.js';
import { apiGet, type DeploymentView, startWorld, waitFinished } from './deploy/setup.js';
import { webhookToLive } from './deploy/webhook.js';
import { parseBenchArgs } from './lib/args.js';
import { finishRun, machineInfo, runBench, saveResults } from './lib/harness.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist/cli/main.js');

const USAGE = `usage: npm run bench:deploy [-- options]
  --connections N     autocannon connections through the proxy (default 10)
  --duration N        seconds of each load window, steady and across the switch (default 10)
  --compose-trials N  compose redeploys each way (default 5)
  --webhook-trials N  webhook change + no-op pairs (default 10)
  --quick             smoke test: 4 s windows, 1 compose trial, 2 webhook trials; implies --no-save
  --no-save           print only; do not write bench/results/deploy.json or bench/README.md
  --keep              keep the temporary directory (config, daemon log, database)
  --out DIR           write deploy.json and a copy of bench/README.md into DIR instead`;

runBench(async () => {
  const o = parseBenchArgs(
    process.argv.slice(2),
    { connections: 10, duration: 10, composeTrials: 5, webhookTrials: 10 },
    { duration: 4, composeTrials: 1, webhookTrials: 2 },
    USAGE,
  );
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stw-bd-'));
  const loadStart = os.loadavg();
  console.log(`deploy benchmark in ${work}`);
  const w = await startWorld(work, CLI);
  try {
    const first = await apiGet<{ deployments: DeploymentView[] }>(w, '/api/v1/deployments');
    const initial = first.deployments[0];
    if (!initial) throw new Error('no initial deployment');
    const d = await waitFinished(w, initial.id);
    if (d.state !== 'succeeded')
      throw new Error(`initial deployment: ${d.state} (see ${work}/daemon.log with --keep)`);
    console.log('(a) blue/green switch under load…');
    const bg = await blueGreen(w, { connections: o.connections, durationS: o.duration });
    console.log('(b) compose redeploy, Steward and plain docker-compose…');
    const compose = await composeRedeploy(w, o.composeTrials);
    console.log('(c) webhook → Live…');
    const webhook = await webhookToLive(w, o.webhookTrials);
    const mem = memory(w.daemon.pid);
    const results = {
      machine: machineInfo(),
      measuredAt: new Date().toISOString(),
      loadavg: { start: loadStart, end: os.loadavg() },
      config: {
        connections: o.connections,
        durationS: o.duration,
        composeTrials: o.composeTrials,
        webhookTrials: o.webhookTrials,
      },
      blueGreen: bg,
      compose,
      webhook,
      daemon: { peakRssMiB: mem.hwmKiB / 1024, rssMiB: mem.rssKiB / 1024 },
    };
    console.log(consoleSummary(results));
    if (o.save) {
      saveResults({
        name: 'deploy',
        results,
        resultsFile: path.join(ROOT, 'bench/results/deploy.json'),
        readme: path.join(ROOT, 'bench/README.md'),
        section: readmeSection(results),
        out: o.out,
      });
    }
  } finally {
    await w.daemon.stop(20_000);
    await w.repo.cleanup();
    await w.docker.stop();
    finishRun(work, o.keep, killChildren);
  }
}, killChildren);
