/**
 * One phase (one QoS): the bare mosquitto_sub (unless left out) and the Steward daemon both
 * subscribed, then the publisher process sends N messages. Steward's progress is probed every
 * pollMs (probe.ts); the bare subscriber's completion is its exit after -C N messages.
 */
import path from 'node:path';
import type { Daemon } from '../checks/live.js';
import { cpuSeconds, machineBusySeconds, memory, sleep, startChild } from '../checks/proc.js';
import { type BareSub, startBare } from './bare.js';
import type { Broker } from './broker.js';
import { type Curve, type LagStats, lagStats, pollIntervals, sustainedRate, thin } from './curves.js';
import { type Counters, counters, SqliteProbe } from './probe.js';

export interface PhaseOptions {
  qos: 0 | 1;
  n: number;
  /** The topic's device label: bench/<dev>/telemetry, one series per phase. */
  dev: string;
  /** Synthetic sample time of message k: base + k ms (unique per message, so rows count messages). */
  base: number;
  window: number;
  every: number;
  /** Where Steward's progress is read every pollMs (see probe.ts); /metrics is scraped every metricsMs either way. */
  probe: 'sqlite' | 'metrics';
  pollMs: number;
  metricsMs: number;
  /** Give up on Steward after this long without progress, once the publisher is done. */
  stallS: number;
  /** Run the bare mosquitto_sub alongside (false: Steward alone on the stream). */
  bare: boolean;
  /** Give up on mosquitto_sub this long after the publisher is done (its loss is then unknown). */
  subGraceS: number;
}

interface PublisherReport {
  n: number;
  firstAt: number;
  lastSendAt: number;
  lastAckAt: number | null;
  acked: number;
  cpuS: number;
  stamps: number[];
}

export interface PhaseResult {
  qos: 0 | 1;
  n: number;
  topic: string;
  /** Whether the bare subscriber ran alongside. */
  withBare: boolean;
  publisher: { window: number | null; sendS: number; rate: number; ackedRate: number | null; cpuS: number };
  bare: {
    complete: boolean;
    completionS: number | null;
    rate: number | null;
    /** N − received when -C N was not reached: unknown (its output went to /dev/null). */
    lost: number | null;
    cpuS: number;
    peakRssMiB: number;
  } | null;
  steward: {
    complete: boolean;
    completionS: number | null;
    rate: number | null;
    sustainedRate: number;
    stored: number;
    rows: number;
    lost: number;
    duplicates: number;
    quarantined: number;
    lag: LagStats;
    pollMs: { meanMs: number; p99Ms: number; maxMs: number };
    /** Mean of steward_mqtt_ingest_lag_seconds over the phase (receipt → commit), ms. */
    commitLagMeanMs: number;
    cpuS: number;
    vmHwmMiB: number;
    vmRssMiB: number;
    /** Which probe drew `curve` (the figures above come from it). */
    probe: 'sqlite' | 'metrics';
    curve: Curve;
    /** steward_mqtt_messages_total{outcome="stored"} since the phase start, every metricsMs. */
    metricsCurve: Curve;
  };
  /** Steward rate ÷ bare rate. */
  ratio: number | null;
  broker: { cpuS: number; vmHwmMiB: number };
  /** This process (the probes, /proc reads) over the window, CPU s. */
  benchCpuS: number;
  /** Everything else on the machine (other work on the shared box), CPU s over the window. */
  othersCpuS: number;
  /** CPU of the whole machine, in cores (2.0 = both busy), over cpuWindowS. */
  machineCores: number;
  /** The window the CPU figures cover: from just before "go" to the end of the phase's loop. */
  cpuWindowS: number;
  /** t0 (first send) to the later of the two completions. */
  wallS: number;
}

const now = () => performance.timeOrigin + performance.now();
const MiB = (kib: number) => kib / 1024;

interface Loop {
  curve: Curve;
  metricsCurve: Curve;
  stewardDoneAt: number | null;
  last: Counters;
}

/** Probes until Steward has N (or stalled), the bare subscriber exited (or overran) and the publisher reported. */
async function watch(
  d: Daemon,
  o: PhaseOptions,
  probe: SqliteProbe,
  bare: BareSub | null,
  pub: { exited: () => boolean; report: () => { at: number } | null },
  c0: Counters,
): Promise<Loop> {
  const curves: { sqlite: Curve; metrics: Curve } = { sqlite: [], metrics: [] };
  const curve = curves[o.probe];
  const r: Loop = { curve, metricsCurve: curves.metrics, stewardDoneAt: null, last: c0 };
  let lastProgressAt = now();
  let nextScrape = 0;
  for (;;) {
    const t = now();
    if (r.stewardDoneAt === null) {
      if (o.probe === 'sqlite') curves.sqlite.push([(t + now()) / 2, probe.stored()]);
      if (o.probe === 'metrics' || t >= nextScrape) {
        nextScrape = t + o.metricsMs;
        r.last = await counters(d);
        curves.metrics.push([(t + now()) / 2, r.last.stored - c0.stored]);
      }
      const [at, stored] = curve.at(-1) as [number, number];
      if (stored > (curve.at(-2)?.[1] ?? 0)) lastProgressAt = at;
      if (stored >= o.n) r.stewardDoneAt = at;
    }
    bare?.sample();
    if (pub.exited() && pub.report() === null) {
      await sleep(100); // the last line may still be in the pipe
      if (pub.report() === null) throw new Error('the publisher exited before reporting');
    }
    const done = pub.report();
    if (done) {
      const quiet = now() - Math.max(lastProgressAt, done.at);
      const stewardOver = r.stewardDoneAt !== null || quiet > o.stallS * 1000;
      const bareOver = !bare || bare.exitAt() !== null || now() - done.at > o.subGraceS * 1000;
      if (stewardOver && bareOver) return r;
    }
    await sleep(Math.max(0, o.pollMs - (now() - t)));
  }
}

export async function runPhase(
  root: string,
  work: string,
  broker: Broker,
  d: Daemon,
  o: PhaseOptions,
): Promise<PhaseResult> {
  const topic = `bench/${o.dev}/telemetry`;
  const bare = o.bare ? await startBare(broker, work, `bench-sub-${o.dev}`, o.n) : null;
  const probe = new SqliteProbe(d.dbFile, o.dev, o.base, o.n);
  const pub = startChild([
    process.execPath,
    path.join(root, 'bench/mqtt/publisher.mjs'),
    JSON.stringify({
      port: broker.port,
      qos: o.qos,
      n: o.n,
      topic,
      base: o.base,
      window: o.window,
      every: o.every,
    }),
  ]);
  try {
    const ready = JSON.parse(await pub.nextLine()) as { ready?: boolean };
    if (!ready.ready) throw new Error('the publisher did not connect');
    const c0 = await counters(d);
    const cpu0 = { daemon: cpuSeconds(d.child.pid), broker: cpuSeconds(broker.child.pid) };
    const busy0 = { at: now(), s: machineBusySeconds() };
    const bench0 = process.cpuUsage();
    // A holder, not a `let`: TypeScript does not see a callback assign a local.
    const got: { report: PublisherReport | null; at: number } = { report: null, at: 0 };
    const reportLine = pub.nextLine().then((line) => {
      got.report = JSON.parse(line) as PublisherReport;
      got.at = now();
    });
    reportLine.catch(() => {}); // a publisher that dies is reported by watch()
    pub.send('go');
    const w = await watch(
      d,
      o,
      probe,
      bare,
      { exited: () => pub.proc.exitCode !== null, report: () => (got.report ? got : null) },
      c0,
    );
    const bareComplete = bare?.complete() ?? false;
    const bareExitAt = bare?.exitAt() ?? null;
    const bareLast = bare?.sample() ?? { cpuS: 0, hwmKiB: 0 };
    await bare?.stop();
    const busy1 = { at: now(), s: machineBusySeconds() };
    const cpu1 = { daemon: cpuSeconds(d.child.pid), broker: cpuSeconds(broker.child.pid) };
    const bench = process.cpuUsage(bench0);
    const benchCpuS = (bench.user + bench.system) / 1e6;
    const last = await counters(d);
    const p = got.report as PublisherReport;
    const t0 = p.firstAt;
    const mem = memory(d.child.pid);
    const rows = probe.rows();
    const daemonCpuS = cpu1.daemon - cpu0.daemon;
    const brokerCpuS = cpu1.broker - cpu0.broker;
    const machineS = busy1.s - busy0.s;
    const stewardRate = w.stewardDoneAt === null ? null : (o.n / (w.stewardDoneAt - t0)) * 1000;
    const bareRate = bareComplete && bareExitAt !== null ? (o.n / (bareExitAt - t0)) * 1000 : null;
    const lagCount = last.lagCount - c0.lagCount;
    return {
      qos: o.qos,
      n: o.n,
      topic,
      withBare: o.bare,
      publisher: {
        window: o.qos ? o.window : null,
        sendS: (p.lastSendAt - p.firstAt) / 1000,
        rate: (o.n / (p.lastSendAt - p.firstAt)) * 1000,
        ackedRate: p.lastAckAt === null ? null : (o.n / (p.lastAckAt - p.firstAt)) * 1000,
        cpuS: p.cpuS,
      },
      bare: bare
        ? {
            complete: bareComplete,
            completionS: bareComplete && bareExitAt !== null ? (bareExitAt - t0) / 1000 : null,
            rate: bareRate,
            lost: bareComplete ? 0 : null,
            cpuS: bareLast.cpuS,
            peakRssMiB: MiB(bareLast.hwmKiB),
          }
        : null,
      steward: {
        complete: w.stewardDoneAt !== null,
        completionS: w.stewardDoneAt === null ? null : (w.stewardDoneAt - t0) / 1000,
        rate: stewardRate,
        sustainedRate: sustainedRate(w.curve, o.n),
        stored: last.stored - c0.stored,
        rows,
        lost: o.n - rows,
        duplicates: last.duplicate - c0.duplicate,
        quarantined: last.quarantined - c0.quarantined,
        lag: lagStats(w.curve, p.stamps, o.every),
        pollMs: pollIntervals(w.curve),
        commitLagMeanMs: lagCount > 0 ? ((last.lagSum - c0.lagSum) / lagCount) * 1000 : Number.NaN,
        cpuS: daemonCpuS,
        vmHwmMiB: MiB(mem.hwmKiB),
        vmRssMiB: MiB(mem.rssKiB),
        probe: o.probe,
        curve: thin(w.curve, 400),
        metricsCurve: thin(w.metricsCurve, 400),
      },
      ratio: stewardRate !== null && bareRate !== null ? stewardRate / bareRate : null,
      broker: { cpuS: brokerCpuS, vmHwmMiB: MiB(memory(broker.child.pid).hwmKiB) },
      benchCpuS,
      othersCpuS: Math.max(0, machineS - daemonCpuS - brokerCpuS - bareLast.cpuS - p.cpuS - benchCpuS),
      machineCores: machineS / ((busy1.at - busy0.at) / 1000),
      cpuWindowS: (busy1.at - busy0.at) / 1000,
      wallS: (Math.max(w.stewardDoneAt ?? now(), bareExitAt ?? 0) - t0) / 1000,
    };
  } finally {
    probe.close();
    await pub.stop(2000);
    await bare?.stop();
  }
}
