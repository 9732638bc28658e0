import type { Measurement } from './measure.js';

export const MB = 1e6;

/** One tool in one phase: the best of its runs (shortest wall time). */
export interface ToolResult {
  tool: string;
  command: string;
  wallS: number;
  /** Dataset bytes / wall seconds, in 10^6 bytes per second. */
  mbPerS: number;
  /** Archive or repository bytes (backup), restored bytes (restore); null for verify. */
  outputBytes: number | null;
  /** Largest "Maximum resident set size" over the runs, MiB. */
  peakRssMiB: number;
  /** user + sys of the best run. */
  cpuS: number;
  /** Other processes' CPU during the best run, in cores (see Measurement.othersCores). */
  othersCores: number;
  runs: Measurement[];
}

export interface Ratio {
  /** Steward MB/s ÷ baseline MB/s (> 1: Steward is faster). */
  throughput: number;
  /** Steward peak RSS ÷ baseline peak RSS. */
  rss: number;
}

export interface Phase {
  tools: Record<string, ToolResult>;
  /** Steward against each baseline of the phase, by baseline key. */
  ratios: Record<string, Ratio>;
}

export interface Target {
  name: string;
  /** Human wording, e.g. "backup ≥ 1.0× tar|pigz -1|age throughput". */
  description: string;
  value: number;
  threshold: number;
  comparison: '>=' | '<';
  met: boolean;
}

export interface SizeResult {
  measuredAt: string;
  loadavg: { start: number[]; end: number[] };
  reps: number;
  dataset: {
    bytes: number;
    files: number;
    parts: { random: number; text: number; sqlite: number };
    dir: string;
    generateSeconds: number;
  };
  /**
   * Cores a `pigz -p 2` probe got before each phase and at the end (CPU s ÷ wall s): about 2
   * on a quiet 2-core machine; lower when other guests on the host take CPU.
   */
  cpuProbe: { backup: number; restore: number; verify: number; end: number };
  backup: Phase;
  restore: Phase;
  verify: Phase;
  targets: Target[];
}

export interface Results {
  machine: {
    cpus: number;
    cpuModel: string;
    memGiB: number;
    node: string;
    os: string;
    date: string;
    loadavg: number[];
    tools: Record<string, string>;
  };
  notes: string[];
  sizes: Record<string, SizeResult>;
}

export function bestOf(
  tool: string,
  command: string,
  runs: Measurement[],
  datasetBytes: number,
  outputBytes: number | null,
): ToolResult {
  const best = runs.reduce((a, b) => (b.wallS < a.wallS ? b : a));
  return {
    tool,
    command,
    wallS: best.wallS,
    mbPerS: datasetBytes / MB / best.wallS,
    outputBytes,
    peakRssMiB: Math.max(...runs.map((r) => r.maxRssKiB)) / 1024,
    cpuS: best.userS + best.sysS,
    othersCores: best.othersCores,
    runs,
  };
}

export function phase(tools: Record<string, ToolResult>, steward: string): Phase {
  const s = tools[steward];
  if (!s) throw new Error(`no ${steward} result`);
  const ratios: Record<string, Ratio> = {};
  for (const [key, t] of Object.entries(tools)) {
    if (key === steward) continue;
    ratios[key] = { throughput: s.mbPerS / t.mbPerS, rss: s.peakRssMiB / t.peakRssMiB };
  }
  return { tools, ratios };
}

export function target(
  name: string,
  description: string,
  value: number,
  comparison: '>=' | '<',
  threshold: number,
): Target {
  const met = comparison === '>=' ? value >= threshold : value < threshold;
  return { name, description, value, threshold, comparison, met };
}

const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);

interface Row {
  phase: string;
  tool: string;
  wall: string;
  mbps: string;
  out: string;
  rss: string;
  cpu: string;
  others: string;
  ratio: string;
}

const HEADERS: Row = {
  phase: 'phase',
  tool: 'tool',
  wall: 'wall s',
  mbps: 'MB/s',
  out: 'output MB',
  rss: 'peak RSS MiB',
  cpu: 'CPU s',
  others: 'others, cores',
  ratio: 'Steward ÷ this (MB/s)',
};

function rows(size: SizeResult): Row[] {
  const out: Row[] = [];
  for (const name of ['backup', 'restore', 'verify'] as const) {
    const p = size[name];
    for (const [key, t] of Object.entries(p.tools)) {
      const ratio = p.ratios[key];
      out.push({
        phase: name,
        tool: t.tool,
        wall: f2(t.wallS),
        mbps: f1(t.mbPerS),
        out: t.outputBytes === null ? '—' : f1(t.outputBytes / MB),
        rss: f1(t.peakRssMiB),
        cpu: f1(t.cpuS),
        others: Number.isFinite(t.othersCores) ? f2(t.othersCores) : '?',
        ratio: ratio ? `${f2(ratio.throughput)}×` : '—',
      });
    }
  }
  return out;
}

const COLUMNS = Object.keys(HEADERS) as (keyof Row)[];
const NUMERIC = new Set<keyof Row>(['wall', 'mbps', 'out', 'rss', 'cpu', 'others', 'ratio']);

export function consoleTable(size: SizeResult): string {
  const all = [HEADERS, ...rows(size)];
  const width = (c: keyof Row) => Math.max(...all.map((r) => r[c].length));
  const line = (r: Row) =>
    COLUMNS.map((c) => (NUMERIC.has(c) ? r[c].padStart(width(c)) : r[c].padEnd(width(c)))).join('  ');
  const [head, ...body] = all;
  return [line(head as Row), COLUMNS.map((c) => '-'.repeat(width(c))).join('  '), ...body.map(line)].join(
    '\n',
  );
}

export function markdownTable(size: SizeResult): string {
  const cell = (text: string) => text.replaceAll('|', '\\|');
  const line = (r: Row) => `| ${COLUMNS.map((c) => cell(r[c])).join(' | ')} |`;
  const align = `|${COLUMNS.map((c) => (NUMERIC.has(c) ? '---:' : '---')).join('|')}|`;
  return [line(HEADERS), align, ...rows(size).map(line)].join('\n');
}

export function targetLines(size: SizeResult): string[] {
  return size.targets.map(
    (t) =>
      `${t.met ? 'met' : 'NOT met'}: ${t.description} — measured ${t.name.startsWith('rss') ? `${f1(t.value)} MiB` : `${f2(t.value)}×`}`,
  );
}
