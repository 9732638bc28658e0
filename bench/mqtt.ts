/**
 * MQTT ingestion benchmark (issue #8): N messages at QoS 0, then QoS 1, from a separate publisher
 * process through a local Mosquitto to two subscribers at once — Steward's daemon persisting into
 * SQLite, and a bare mosquitto_sub writing to /dev/null — then QoS 1 with Steward alone. Rates,
 * ratio, end-to-end lag, loss, CPU, peak RSS. See bench/README.md.
 *
 *   npm run bench:mqtt                  # 200,000 messages a phase
 *   npm run bench:mqtt -- --quick       # smoke test: 20,000 a phase, nothing written
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDaemon } from './checks/live.js';
import { killChildren } from './checks/proc.js';
import { parseBenchArgs } from './lib/args.js';
import { finishRun, machineInfo, runBench, saveResults } from './lib/harness.js';
import { BROKER_SETTINGS, type Broker, startBroker } from './mqtt/broker.js';
import { type PhaseResult, runPhase } from './mqtt/phase.js';
import { daemonShape } from './mqtt/proc-tree.js';
import { summarizeProfile } from './mqtt/profile.js';
import { NOTES } from './mqtt/readme-text.js';
import {
  consoleTable,
  detailTable,
  label,
  type MqttResults,
  profileTable,
  rateTable,
  readmeSection,
  targetLines,
  targets,
} from './mqtt/report.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist/cli/main.js');
const CLIENT_ID = 'steward-bench';

const USAGE = `usage: npm run bench:mqtt [-- options]
  --messages N   messages per phase (default 200000)
  --window N     the publisher's unacked QoS 1 messages at most (default 1000)
  --poll-ms N    interval of the probe that draws Steward's stored curve (default 10)
  --metrics-ms N interval of the /metrics scrapes (stored, duplicate, quarantined counters) (default 250)
  --no-alone     leave out the third phase (QoS 1 with Steward alone on the stream, no mosquitto_sub)
  --profile      profile the daemon (V8 sampling profiler, from ready to exit) and summarize where
                 its CPU went; slows it, so do not compare those figures with a run without it
  --probe-metrics  draw the stored curve from /metrics every --poll-ms instead of from SQLite
                 (costs the daemon ~3 ms of CPU a scrape; see bench/mqtt/probe.ts)
  --every N      the publisher records the send time of every N-th message (default 100)
  --stall-s N    give up on Steward after N s without progress once the publisher is done (default 30)
  --quick        smoke test: 20000 messages a phase; implies --no-save
  --no-save      print only; do not write bench/results/mqtt.json or bench/README.md
  --keep         keep the temporary directory (broker and daemon logs, config, database)
  --out DIR      write mqtt.json and a copy of bench/README.md into DIR instead (works with --quick)`;

function configText(port: number, broker: Broker): string {
  return `version: 1
name: bench-mqtt
data_dir: ./data
server:
  listen: 127.0.0.1:${port}
host_metrics: { enabled: false }
mqtt:
  broker: { url: "${broker.url}", client_id: ${CLIENT_ID} }
  ingest:
    - { topic: "bench/+dev/telemetry", format: json, fields: { value: "$.v" }, metric: "bench_{field}", timestamp: "$.t", sequence: "$.seq", device: "{dev}" }
`;
}

function phaseLine(p: PhaseResult): string {
  const s = p.steward;
  return `  ${label(p)}: Steward ${Math.round(s.rate ?? Number.NaN)} msg/s (${s.rows} rows, lost ${s.lost}), bare ${p.bare ? `${Math.round(p.bare.rate ?? Number.NaN)} msg/s` : '—'}, publisher ${Math.round(p.publisher.rate)} msg/s; lag p99 ${s.lag.p99Ms.toFixed(1)} ms`;
}

runBench(async () => {
  const booleans = ['--probe-metrics', '--no-alone', '--profile'];
  const argv = process.argv.slice(2);
  const probe = argv.includes('--probe-metrics') ? 'metrics' : 'sqlite';
  const alone = !argv.includes('--no-alone');
  const profile = argv.includes('--profile');
  const o = parseBenchArgs(
    argv.filter((a) => !booleans.includes(a)),
    { messages: 200_000, window: 1000, pollMs: 10, metricsMs: 250, every: 100, stallS: 30 },
    { messages: 20_000 },
    USAGE,
  );
  if (o.window > 65_535) throw new Error('--window must be at most 65535 (MQTT packet ids)');
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'stw-bench-mqtt-'));
  const loadStart = os.loadavg();
  console.log(
    `steward MQTT benchmark${o.quick ? ' (quick)' : ''}: ${o.messages} messages a phase; ${os.cpus().length} CPUs, load ${loadStart.map((n) => n.toFixed(2)).join(' ')}; temp dir ${work}`,
  );
  try {
    const broker = await startBroker(path.join(work, 'broker'));
    const profileDir = path.join(work, 'profile');
    // With --profile the daemon runs through a wrapper that starts V8's profiler, then the CLI.
    if (profile) process.env.BENCH_MQTT_PROFILE_DIR = profileDir;
    const daemonCli = profile ? path.join(ROOT, 'bench/mqtt/profiled-cli.mjs') : CLI;
    const d = await startDaemon(daemonCli, path.join(work, 'daemon'), (port) => configText(port, broker));
    await broker.waitSubscribed(CLIENT_ID, 'bench/+/telemetry');
    if (profile) d.child.proc.kill('SIGUSR2');
    console.log(
      `mosquitto ${broker.version} on ${broker.url}; daemon ${d.url} (ready in ${d.startupS.toFixed(2)} s)`,
    );
    // Synthetic sample times an hour back (well inside the raw retention), one ms per message.
    const base = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
    const phases: PhaseResult[] = [];
    const plan = [
      { qos: 0 as const, bare: true },
      { qos: 1 as const, bare: true },
      ...(alone ? [{ qos: 1 as const, bare: false }] : []),
    ];
    for (const [i, { qos, bare }] of plan.entries()) {
      console.log(`QoS ${qos}${bare ? '' : ', Steward alone'}: ${o.messages} messages…`);
      const p = await runPhase(ROOT, work, broker, d, {
        qos,
        bare,
        n: o.messages,
        dev: `q${qos}${bare ? '' : 'alone'}`,
        base: base + i * (o.messages + 1000),
        window: o.window,
        every: o.every,
        probe,
        pollMs: o.pollMs,
        metricsMs: o.metricsMs,
        stallS: o.stallS,
        subGraceS: o.stallS,
      });
      console.log(phaseLine(p));
      phases.push(p);
    }
    const shape = daemonShape(d.child.pid);
    await d.child.stop();
    await broker.stop();
    const prof = profile ? summarizeProfile(profileDir) : null;
    const results: MqttResults = {
      machine: machineInfo(),
      config: {
        messages: o.messages,
        window: o.window,
        probe,
        pollMs: o.pollMs,
        metricsMs: o.metricsMs,
        every: o.every,
        stallS: o.stallS,
        alone,
        profile,
        quick: o.quick,
      },
      measuredAt: new Date().toISOString(),
      loadavg: { start: loadStart, end: os.loadavg() },
      broker: { version: broker.version, settings: BROKER_SETTINGS },
      daemon: { startupS: d.startupS, ...shape },
      phases,
      profile: prof,
      targets: targets(phases),
      notes: [
        ...NOTES,
        `The daemon is one process: ${shape.childProcesses} child processes and ${shape.threads} threads at the end of the run, so its VmHWM is all of Steward's memory.`,
      ],
    };
    console.log(`\n${consoleTable(rateTable(results))}\n\n${consoleTable(detailTable(results))}\n`);
    if (prof) console.log(`${consoleTable(profileTable(prof))}\n`);
    for (const l of targetLines(results.targets)) console.log(`  ${l}`);
    if (o.save) {
      saveResults({
        name: 'mqtt',
        results,
        resultsFile: path.join(ROOT, 'bench/results/mqtt.json'),
        readme: path.join(ROOT, 'bench/README.md'),
        section: readmeSection(results),
        out: o.out,
      });
    }
  } finally {
    finishRun(work, o.keep, killChildren);
  }
}, killChildren);
