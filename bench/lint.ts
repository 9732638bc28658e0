/**
 * Lint benchmark: `steward lint` against dclint over 1,000 generated compose files plus the KICS
 * corpus, each tool one process over the whole set, in the same run. See bench/README.md.
 *
 *   npm run bench:lint                       # 3 runs of each tool; several minutes (dclint is slow)
 *   npm run bench:lint -- --quick            # smoke test: 100 generated files, one run each, nothing written
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs } from './lib/args.js';
import { finishRun, machineInfo, runBench, saveResults } from './lib/harness.js';
import { assertGnuTime } from './lib/measure.js';
import { generateSet } from './lint/generate.js';
import {
  figuresTable,
  type LintResults,
  mainTable,
  readmeSection,
  summarize,
  targetLines,
  targets,
} from './lint/report.js';
import { dclintOutput, type Run, securityRules, stewardOutput, timedRun } from './lint/run.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist/cli/main.js');
const DCLINT = path.join(ROOT, 'node_modules/dclint/bin/dclint.cjs');
const KICS = path.join(ROOT, 'test/fixtures/kics-compose');
const RESULTS_FILE = path.join(ROOT, 'bench/results/lint.json');
const README = path.join(ROOT, 'bench/README.md');
const STEWARD_PER_REP = 3;

interface Options {
  files: number;
  reps: number;
  seed: number;
  quick: boolean;
  save: boolean;
  keep: boolean;
  /** Write lint.json and a copy of bench/README.md there instead (also with --quick). */
  out: string | null;
}

const USAGE = `usage: npm run bench:lint [-- options]
  --files N    generated compose files (default 1000; the KICS fixtures are added to them)
  --reps N     dclint runs, each after 3 Steward runs; the median wall time counts (default 3)
  --seed N     generator seed (default 1): the same seed writes the same files
  --quick      smoke test: 100 generated files, one run of each tool; implies --no-save
  --no-save    print only; do not write bench/results/lint.json or bench/README.md
  --keep       keep the temporary directory (the files and both reports)
  --out DIR    write lint.json and a copy of bench/README.md with the section into DIR
               instead of bench/ (works with --quick)`;

function parseArgs(argv: string[]): Options {
  return parseBenchArgs(argv, { files: 1000, reps: 3, seed: 1 }, { files: 100, reps: 1 }, USAGE);
}

/** A two-service file for the start-up runs: parsing it costs next to nothing. */
const SMALL = `services:
  web:
    image: nginx:1.27.1-alpine
    ports: ["127.0.0.1:8080:80"]
  cache:
    image: redis:7.4.0-alpine
`;

// Every child is waited for synchronously (spawnSync), so none outlives a failure.
const noChildren = () => {};

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  assertGnuTime();
  for (const f of [CLI, DCLINT])
    if (!fs.existsSync(f)) throw new Error(`${f} is missing: run \`npm run build\` / \`npm ci\``);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-bench-lint-'));
  const loadStart = os.loadavg();
  try {
    const set = generateSet(path.join(work, 'files'), o.files, o.seed, KICS);
    console.log(
      `steward lint benchmark${o.quick ? ' (quick)' : ''}: ${set.files.length} files (${set.generated} generated, ${set.kics} KICS), ${(set.bytes / 1e6).toFixed(2)} MB, ${o.reps} run(s) each; ${os.cpus().length} CPUs, load ${loadStart.map((n) => n.toFixed(2)).join(' ')}; temp dir ${work}`,
    );
    // An empty cwd: no steward.yaml and no .dclintrc, so both tools use their defaults.
    const cwd = path.join(work, 'cwd');
    fs.mkdirSync(cwd);
    const small = path.join(work, 'compose-small.yaml');
    fs.writeFileSync(small, SMALL);
    const stewardArgv = (files: string[]) => [process.execPath, CLI, 'lint', '--format', 'json', ...files];
    const dclintArgv = (files: string[]) => [process.execPath, DCLINT, '-f', 'json', ...files];
    const report = (tool: string, rep: number) => path.join(work, `${tool}-${rep}.json`);

    const startup: Record<Run['tool'], Run[]> = { steward: [], dclint: [] };
    for (let i = 0; i < 3; i++) {
      startup.steward.push(timedRun('steward', stewardArgv([small]), cwd, report('steward-startup', i)));
      startup.dclint.push(timedRun('dclint', dclintArgv([small]), cwd, report('dclint-startup', i)));
    }
    console.log(
      `start-up: steward ${startup.steward.map((r) => r.wallS.toFixed(3)).join(', ')} s; dclint ${startup.dclint.map((r) => r.wallS.toFixed(3)).join(', ')} s`,
    );

    const runs: Record<Run['tool'], Run[]> = { steward: [], dclint: [] };
    const outputs = {
      steward: [] as ReturnType<typeof stewardOutput>[],
      dclint: [] as ReturnType<typeof dclintOutput>[],
    };
    for (let rep = 0; rep < o.reps; rep++) {
      // Steward's run is short and this machine's neighbours are noisy: three of its runs per
      // dclint run, so its median rests on more samples at almost no cost.
      for (let k = 0; k < STEWARD_PER_REP; k++) {
        const i = rep * STEWARD_PER_REP + k;
        const s = timedRun('steward', stewardArgv(set.files), cwd, report('steward', i));
        runs.steward.push(s);
        outputs.steward.push(stewardOutput(report('steward', i), set.files.length));
        console.log(
          `  steward #${i + 1}: ${s.wallS.toFixed(2)} s, ${(s.maxRssKiB / 1024).toFixed(1)} MiB, exit ${s.exitCode}`,
        );
      }
      const d = timedRun('dclint', dclintArgv(set.files), cwd, report('dclint', rep));
      runs.dclint.push(d);
      outputs.dclint.push(dclintOutput(report('dclint', rep)));
      console.log(
        `  dclint  #${rep + 1}: ${d.wallS.toFixed(2)} s, ${(d.maxRssKiB / 1024).toFixed(1)} MiB, exit ${d.exitCode}`,
      );
    }
    // Both linters are deterministic: a run that found something else is a bug worth stopping for.
    for (const tool of ['steward', 'dclint'] as const) {
      const counts = new Set(outputs[tool].map((x) => x.findings));
      if (counts.size > 1) throw new Error(`${tool} findings differ between runs: ${[...counts].join(', ')}`);
    }
    const n = set.files.length;
    const cmd = (argv: string[]) =>
      `${argv.map((a) => (a === process.execPath ? 'node' : path.relative(ROOT, a) || a)).join(' ')} <${n} files>`;
    const steward = summarize(cmd(stewardArgv([])), runs.steward, startup.steward, n, outputs.steward[0]!);
    const dclint = summarize(cmd(dclintArgv([])), runs.dclint, startup.dclint, n, outputs.dclint[0]!);
    const ratio = {
      filesPerS: steward.filesPerS / dclint.filesPerS,
      filesPerSNoStartup: steward.filesPerSNoStartup / dclint.filesPerSNoStartup,
      peakRss: steward.peakRssMiB / dclint.peakRssMiB,
    };
    const sec = securityRules();
    const { files: _files, dir: _dir, ...setInfo } = set;
    const results: LintResults = {
      machine: machineInfo(),
      config: { files: o.files, reps: o.reps, seed: o.seed, quick: o.quick },
      measuredAt: new Date().toISOString(),
      loadavg: { start: loadStart, end: os.loadavg() },
      set: { ...setInfo, files: n, avgGeneratedBytes: set.generatedBytes / set.generated },
      steward,
      dclint,
      ratio,
      securityRules: sec,
      targets: targets(steward, ratio.filesPerS),
      notes: notes(sec),
    };
    console.log(`\n${mainTable(results)}\n\n${figuresTable(results)}\n`);
    for (const l of targetLines(results.targets)) console.log(`  ${l}`);
    if (o.save) {
      saveResults({
        name: 'lint',
        results,
        resultsFile: RESULTS_FILE,
        readme: README,
        out: o.out,
        section: readmeSection(results),
      });
    }
  } finally {
    finishRun(work, o.keep, noChildren);
  }
}

function notes(sec: ReturnType<typeof securityRules>): string[] {
  const posture = ['no-unbound-port-interfaces', 'service-image-require-explicit-tag'];
  return [
    'One run on the machine described above; absolute figures depend on it and on what else ran (see the load average and "others, cores": CPU the rest of the machine used during each run, from /proc/stat). The Steward ÷ dclint ratio is the figure meant to be compared.',
    "Both tools are started as `node <script>` (process.execPath), not through `npx`, so neither pays npm's own start-up or has npm's RSS counted; `npx dclint` runs the same bin/dclint.cjs.",
    'Wall time is measured by the benchmark from spawn to exit of GNU time wrapping the linter (fork/exec of /usr/bin/time included, about a millisecond); peak RSS is GNU time %M (ru_maxrss) of the linter process.',
    'Files/s counts every file given on the command line: both JSON reports list them all. Files a tool could not read as compose (Steward invalid-compose; dclint invalid-yaml, invalid-schema, unknown-error) are counted in the table; they cost less to lint.',
    `Security rules checked: Steward counts its registry rules with \`security: true\` that the default (baseline) profile runs (${sec.steward.count} of ${sec.steward.totalRules}: ${sec.steward.ids.join(', ')}). dclint counts the rules its linter loads with no config whose own \`category\` is "security", read off a DCLinter instance (${sec.dclint.count} of ${sec.dclint.totalRules}: ${sec.dclint.ids.join(', ')}); of these only ${posture.filter((p) => sec.dclint.ids.includes(p)).join(' and ')} are about a container's security posture, the others check container-name and host-port uniqueness and naming. The issue's count of 2 is that narrower reading.`,
    'dclint builds a new Ajv instance and compiles the compose JSON schema for every file it lints (validationComposeSchema in bin/dclint.cjs): about half of its CPU time in a profile over 40 of these files; most of the rest is its rules, each of which parses the file again.',
    "Steward streams its JSON report project by project, one finding per line (about 20 MB for this set); writing it is part of its time, as the report is part of dclint's.",
  ];
}

runBench(main, noChildren);
