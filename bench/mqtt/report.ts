/** Targets, tables and the README section of the MQTT ingestion benchmark. */
import { consoleTable, markdownTable } from '../checks/report.js';
import { type RunHeader, readmeSection as sharedSection } from '../lib/harness.js';
import type { PhaseResult } from './phase.js';
import type { ProfileSummary } from './profile.js';
import { ABOUT } from './readme-text.js';

export { consoleTable };

export interface MqttTarget {
  name: string;
  description: string;
  value: number | null;
  unit: string;
  threshold: number;
  met: boolean;
}

export interface MqttResults extends RunHeader {
  broker: { version: string; settings: string[] };
  daemon: { startupS: number; threads: number; childProcesses: number };
  phases: PhaseResult[];
  /** With --profile: the daemon's CPU profile from ready to exit (every phase and the shutdown). */
  profile: ProfileSummary | null;
  targets: MqttTarget[];
  notes: string[];
}

interface Table {
  head: string[];
  rows: string[][];
  numeric: number[];
}

const f1 = (x: number | null) => (x !== null && Number.isFinite(x) ? x.toFixed(1) : '?');
const f2 = (x: number | null) => (x !== null && Number.isFinite(x) ? x.toFixed(2) : '?');
const int = (x: number | null) =>
  x !== null && Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '?';

/** A phase's name in tables: its QoS, and whether Steward had the stream to itself. */
export const label = (p: PhaseResult) => `QoS ${p.qos}${p.withBare ? '' : ', Steward alone'}`;

export function targets(phases: PhaseResult[]): MqttTarget[] {
  // The issue's targets are about the side-by-side run, not the extra "Steward alone" phase.
  const q0 = phases.find((p) => p.qos === 0 && p.withBare);
  const q1 = phases.find((p) => p.qos === 1 && p.withBare);
  const out: MqttTarget[] = [];
  if (q0) {
    out.push({
      name: 'qos0-ratio',
      description: 'QoS 0: Steward ≥ 0.8× the bare mosquitto_sub rate',
      value: q0.ratio,
      unit: '×',
      threshold: 0.8,
      met: q0.ratio !== null && q0.ratio >= 0.8,
    });
  }
  if (q1) {
    out.push({
      name: 'qos1-rate',
      description: 'QoS 1: ≥ 20,000 messages/s persisted by Steward',
      value: q1.steward.rate,
      unit: 'messages/s',
      threshold: 20_000,
      met: q1.steward.rate !== null && q1.steward.rate >= 20_000,
    });
  }
  const lost = phases.reduce((sum, p) => sum + p.steward.lost, 0);
  out.push({
    name: 'zero-loss',
    description: `zero loss: every published message a row in samples (${phases.map(label).join('; ')})`,
    value: lost,
    unit: 'lost',
    threshold: 0,
    met: lost === 0,
  });
  return out;
}

export function targetLines(ts: MqttTarget[]): string[] {
  return ts.map((t) => {
    const v = t.unit === '×' ? `${f2(t.value)}×` : `${int(t.value)} ${t.unit}`;
    return `${t.met ? 'met' : 'NOT met'}: ${t.description} — measured ${v}`;
  });
}

const cores = (cpuS: number, p: PhaseResult) => `${f1(cpuS)} (${f2(cpuS / p.cpuWindowS)})`;
const perMsg = (cpuS: number, p: PhaseResult) => f1((cpuS / p.n) * 1e6);

/** Publisher, bare subscriber and Steward, side by side, per phase. */
export function rateTable(r: MqttResults): Table {
  const rows: string[][] = [];
  for (const p of r.phases) {
    const q = label(p);
    const pub = p.publisher;
    rows.push([
      q,
      `publisher (raw MQTT 3.1.1${pub.window ? `, window ${int(pub.window)}` : ''})`,
      f2(pub.sendS),
      `${int(pub.rate)} sent${pub.ackedRate !== null ? `; ${int(pub.ackedRate)} acked` : ''}`,
      '—',
      '—',
      '—',
      f1(pub.cpuS),
      perMsg(pub.cpuS, p),
      '—',
    ]);
    if (p.bare) {
      rows.push([
        q,
        'bare mosquitto_sub > /dev/null',
        f2(p.bare.completionS),
        int(p.bare.rate),
        '—',
        '1.00×',
        p.bare.complete ? '0' : 'unknown (-C N not reached)',
        cores(p.bare.cpuS, p),
        perMsg(p.bare.cpuS, p),
        f1(p.bare.peakRssMiB),
      ]);
    }
    rows.push([
      q,
      'Steward daemon → SQLite',
      f2(p.steward.completionS),
      int(p.steward.rate),
      int(p.steward.sustainedRate),
      p.withBare ? (p.ratio === null ? '?' : `${f2(p.ratio)}×`) : '—',
      `${int(p.steward.lost)} (${int(p.steward.rows)} rows)`,
      cores(p.steward.cpuS, p),
      perMsg(p.steward.cpuS, p),
      f1(p.steward.vmHwmMiB),
    ]);
    rows.push([
      q,
      'Mosquitto broker',
      '',
      '',
      '',
      '',
      '',
      cores(p.broker.cpuS, p),
      perMsg(p.broker.cpuS, p),
      f1(p.broker.vmHwmMiB),
    ]);
  }
  return {
    head: [
      'phase',
      'process',
      's from first send to last',
      'messages/s',
      'sustained 10–90 %',
      'ratio to bare',
      'lost',
      'CPU s (cores)',
      'CPU µs/message',
      'peak RSS MiB',
    ],
    rows,
    numeric: [2, 3, 4, 5, 7, 8, 9],
  };
}

/** Steward's end-to-end lag and what else the phase shows. */
export function detailTable(r: MqttResults): Table {
  const rows = r.phases.map((p) => {
    const s = p.steward;
    return [
      label(p),
      `${f1(s.lag.p50Ms)} / ${f1(s.lag.p99Ms)} / ${f1(s.lag.maxMs)}`,
      `${f1(s.pollMs.meanMs)} (max ${f1(s.pollMs.maxMs)})`,
      f1(s.commitLagMeanMs),
      `${int(s.stored)} / ${int(s.duplicates)} / ${int(s.quarantined)}`,
      `${cores(p.benchCpuS, p)} / ${cores(p.othersCpuS, p)}`,
      f2(p.machineCores),
    ];
  });
  return {
    head: [
      'phase',
      'Steward lag, send → stored, p50 / p99 / max ms',
      'probe interval ms',
      'receive → commit mean ms',
      'stored / duplicate / quarantined (counters)',
      'CPU s (cores): bench process / others',
      'machine busy, cores',
    ],
    rows,
    numeric: [1, 2, 3, 6],
  };
}

/** With --profile: the daemon's self time by area and its busiest functions. */
export function profileTable(x: ProfileSummary): Table {
  const pct = (share: number) => `${f1(share * 100)} %`;
  return {
    head: ['daemon CPU profile (self time)', 'ms', 'share'],
    rows: [
      ...x.areas.slice(0, 10).map((a) => [`area: ${a.area}`, f1(a.ms), pct(a.share)]),
      ...x.functions.map((f) => [`fn: ${f.fn} (${f.area})`, f1(f.ms), pct(f.share)]),
    ],
    numeric: [1, 2],
  };
}

export function readmeSection(r: MqttResults): string {
  return sharedSection({
    about: ABOUT,
    machine: r.machine,
    measuredAt: r.measuredAt,
    loadavg: r.loadavg,
    config: r.config,
    tables: [
      markdownTable(rateTable(r)),
      markdownTable(detailTable(r)),
      ...(r.profile ? [markdownTable(profileTable(r.profile))] : []),
    ],
    targetLines: targetLines(r.targets),
    notes: r.notes,
  });
}
