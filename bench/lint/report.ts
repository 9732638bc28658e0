/** Figures, targets and the README section of the lint benchmark. */
import { type RunHeader, readmeSection as sharedSection } from '../lib/harness.js';
import type { FileSet } from './generate.js';
import { median, type Output, type Run, type SecurityRules } from './run.js';

const MiB = 1024; // GNU time reports KiB

export interface ToolSummary {
  command: string;
  runs: Run[];
  medianWallS: number;
  /** Files ÷ median wall time: process start-up included. */
  filesPerS: number;
  medianCpuS: number;
  /** Largest peak RSS over the runs, MiB. */
  peakRssMiB: number;
  /** Median wall time of the same command on one small file. */
  startupS: number;
  startupRuns: Run[];
  /** Files ÷ (median wall − start-up). */
  filesPerSNoStartup: number;
  output: Output;
}

export interface LintTarget {
  description: string;
  value: number;
  unit: string;
  comparison: '>=' | '<';
  threshold: number;
  met: boolean;
}

export interface LintResults extends RunHeader {
  set: Omit<FileSet, 'files' | 'dir'> & { files: number; avgGeneratedBytes: number };
  steward: ToolSummary;
  dclint: ToolSummary;
  ratio: { filesPerS: number; filesPerSNoStartup: number; peakRss: number };
  securityRules: SecurityRules;
  targets: LintTarget[];
  notes: string[];
}

export function summarize(
  command: string,
  runs: Run[],
  startupRuns: Run[],
  files: number,
  output: Output,
): ToolSummary {
  const medianWallS = median(runs.map((r) => r.wallS));
  const startupS = median(startupRuns.map((r) => r.wallS));
  return {
    command,
    runs,
    medianWallS,
    filesPerS: files / medianWallS,
    medianCpuS: median(runs.map((r) => r.userS + r.sysS)),
    peakRssMiB: Math.max(...runs.map((r) => r.maxRssKiB)) / MiB,
    startupS,
    startupRuns,
    filesPerSNoStartup: medianWallS > startupS ? files / (medianWallS - startupS) : Number.NaN,
    output,
  };
}

function target(description: string, value: number, unit: string, cmp: '>=' | '<', threshold: number) {
  const met = cmp === '>=' ? value >= threshold : value < threshold;
  return { description, value, unit, comparison: cmp, threshold, met };
}

export function targets(s: ToolSummary, ratio: number): LintTarget[] {
  return [
    target('Steward ≥ 2,000 files/s (process start-up included)', s.filesPerS, 'files/s', '>=', 2000),
    target('Steward ≥ 100× dclint files/s', ratio, '×', '>=', 100),
    target('Steward peak RSS < 150 MiB', s.peakRssMiB, 'MiB', '<', 150),
  ];
}

const n0 = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '?');
const n1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '?');
const n2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '?');
const n3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '?');

export function targetLines(ts: LintTarget[]): string[] {
  return ts.map(
    (t) =>
      `${t.met ? 'met' : 'NOT met'}: ${t.description} — measured ${t.unit === 'files/s' ? n0(t.value) : n1(t.value)} ${t.unit}`,
  );
}

function toolRow(name: string, s: ToolSummary, sec: { count: number; totalRules: number }): string {
  const o = s.output;
  return `| ${name} | ${n0(o.files)} | ${n2(s.medianWallS)} (${s.runs.map((r) => n2(r.wallS)).join(', ')}) | ${n1(s.filesPerS)} | ${n2(s.medianCpuS)} | ${n1(s.peakRssMiB)} | ${n0(o.findings)} | ${n0(o.securityFindings)} | ${o.unreadableFiles} | ${sec.count} of ${sec.totalRules} | ${s.runs.map((r) => n2(r.othersCores)).join(', ')} |`;
}

export function mainTable(r: LintResults): string {
  return [
    '| tool | files linted | median wall s (runs) | files/s | CPU s | peak RSS MiB | findings | security findings | files it could not read | security rules checked | others, cores (runs) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    toolRow('Steward', r.steward, r.securityRules.steward),
    toolRow('dclint', r.dclint, r.securityRules.dclint),
  ].join('\n');
}

export function figuresTable(r: LintResults): string {
  const { set, steward: s, dclint: d } = r;
  const rows: [string, string][] = [
    [
      'files',
      `${n0(set.files)} (${n0(set.generated)} generated with ${n0(set.services)} services, avg ${n1(set.avgGeneratedBytes / 1024)} KiB; ${set.kics} KICS), ${n2(set.bytes / 1e6)} MB`,
    ],
    ['Steward files/s (one process, start-up included)', n0(s.filesPerS)],
    ['dclint files/s (one process, start-up included)', n1(d.filesPerS)],
    ['Steward ÷ dclint, files/s', `${n1(r.ratio.filesPerS)}×`],
    ['peak RSS, Steward / dclint', `${n1(s.peakRssMiB)} / ${n1(d.peakRssMiB)} MiB`],
    ['start-up (one small file, median of 3), Steward / dclint', `${n3(s.startupS)} / ${n3(d.startupS)} s`],
    ['lint throughput without start-up, Steward', `${n0(s.filesPerSNoStartup)} files/s`],
    ['lint throughput without start-up, dclint', `${n1(d.filesPerSNoStartup)} files/s`],
    ['Steward ÷ dclint without start-up', `${n1(r.ratio.filesPerSNoStartup)}×`],
  ];
  return ['| figure | value |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
}

const ABOUT = `## Lint (\`bench/lint.ts\`)

What it measures, in one run:

* the input: 1,000 generated compose files (seeded: the same seed writes the same bytes; 5–30 services each,
  skewed towards small stacks; real images with pinned, \`latest\`, untagged and digest references; short and
  long ports and volumes; environment as map and list with \`\${VAR}\` and literal passwords; healthchecks incl.
  \`>\`/\`|\` block scalars; \`depends_on\` with conditions; traefik labels; limits, logging, hardening keys;
  comments; \`x-common: &common\` merged with \`<<: *common\` in a share of them) plus every KICS docker-compose
  fixture (\`test/fixtures/kics-compose/*/test/*.yaml\`), all in one temporary directory;
* **Steward**: \`node dist/cli/main.js lint --format json <every file>\`, one process, cwd an empty temporary
  directory (no steward.yaml: the default policy);
* **dclint** (the npm package, devDependency): \`node node_modules/dclint/bin/dclint.cjs -f json <every file>\`,
  one process, same cwd (no .dclintrc: its defaults, every rule on; no \`--fix\`);
* dclint 3 times, each run preceded by 3 Steward runs (9 in all: its runs are short and the machine is shared); wall time from spawn to exit (Node start-up included), peak RSS from GNU
  time \`%M\`; files/s = files ÷ median wall time. Start-up is the median of 3 runs of the same command on one
  small file; "without start-up" divides by the median minus that. Both JSON reports are parsed (a single valid
  document each) to count files and findings.

The targets (Steward ≥ 2,000 files/s, ≥ 100× dclint, peak RSS < 150 MiB) are reported as met or not met, never asserted.

Run it:

\`\`\`sh
npm run bench:lint                        # several minutes: dclint is slow
npm run bench:lint -- --quick             # smoke test: 100 generated files, one run each, nothing written
npm run bench:lint -- --help              # every flag
\`\`\`

Raw figures (every run, the config used, the machine): [results/lint.json](results/lint.json).`;

export function readmeSection(r: LintResults): string {
  return sharedSection({
    about: ABOUT,
    machine: r.machine,
    measuredAt: r.measuredAt,
    loadavg: r.loadavg,
    config: r.config,
    tables: [mainTable(r), figuresTable(r)],
    targetLines: targetLines(r.targets),
    notes: r.notes,
  });
}
