import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What every result file says about the machine it was measured on. */
export interface Machine {
  cpus: number;
  cpuModel: string;
  memGiB: number;
  node: string;
  os: string;
}

export function machineInfo(): Machine {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
  };
}

/** What every benchmark's results file starts with: where, when, and with which flags it ran. */
export interface RunHeader {
  machine: Machine;
  config: Record<string, unknown>;
  measuredAt: string;
  loadavg: { start: number[]; end: number[] };
}

/** The common head and tail of a README results section; `tables` goes in between. */
export interface SectionParts extends Omit<RunHeader, 'config'> {
  about: string;
  config: unknown;
  tables: string[];
  targetLines: string[];
  notes: string[];
}

const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '?');

export function readmeSection(p: SectionParts): string {
  const m = p.machine;
  return [
    p.about,
    '',
    '### Results',
    '',
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memGiB} GiB RAM, ${m.os}, Node ${m.node}. Measured ${p.measuredAt}; load average ${p.loadavg.start.map(f2).join(' ')} at the start, ${p.loadavg.end.map(f2).join(' ')} at the end. Config: ${JSON.stringify(p.config)}.`,
    ...p.tables.flatMap((t) => ['', t]),
    '',
    'Targets (reported, not asserted):',
    '',
    ...p.targetLines.map((l) => `* ${l}`),
    '',
    'Notes:',
    '',
    ...p.notes.map((n) => `* ${n}`),
  ].join('\n');
}

/** Replaces the benchmark's section between its markers in the README, or appends it. */
export function writeReadmeSection(file: string, name: string, section: string): void {
  const begin = `<!-- bench:${name}:begin -->`;
  const end = `<!-- bench:${name}:end -->`;
  let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  if (!text.includes(begin) || !text.includes(end)) text = `${text.trimEnd()}\n\n${begin}\n${end}\n`;
  const start = text.indexOf(begin) + begin.length;
  text = `${text.slice(0, start)}\n${section}\n${text.slice(text.indexOf(end))}`;
  fs.writeFileSync(file, text);
}

/**
 * Writes `<name>.json` and the README section: into bench/ by default, or into `out` (with a
 * copy of the README to edit) so a trial run leaves the committed files alone.
 */
export function saveResults(opts: {
  name: string;
  results: unknown;
  resultsFile: string;
  readme: string;
  section: string;
  out?: string | null | undefined;
}): void {
  const resultsFile = opts.out ? path.join(opts.out, `${opts.name}.json`) : opts.resultsFile;
  const readme = opts.out ? path.join(opts.out, 'README.md') : opts.readme;
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  if (opts.out) fs.copyFileSync(opts.readme, readme);
  fs.writeFileSync(resultsFile, `${JSON.stringify(opts.results, null, 2)}\n`);
  writeReadmeSection(readme, opts.name, opts.section);
  console.log(`\nwrote ${resultsFile} and ${readme}`);
}

/** Runs a benchmark's main: on any failure the stack is printed, children are killed, exit 1. */
export function runBench(main: () => Promise<void>, killChildren: () => void): void {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    killChildren();
    process.exit(1);
  });
}

/** The end of every run: children killed, the temporary directory removed unless kept. */
export function finishRun(work: string, keep: boolean, killChildren: () => void): void {
  killChildren();
  if (keep) console.log(`kept ${work}`);
  else fs.rmSync(work, { recursive: true, force: true });
}
