/**
 * Backup benchmark: Steward's `backup run`, `restore` and `backup verify` against the stock
 * pipelines they replace (tar | gzip/pigz | age) and against restic, on one generated dataset
 * per size. See bench/README.md.
 *
 *   npm run bench:backup                      # 256 MiB and 1 GiB
 *   npm run bench:backup -- --size 1GiB       # one size (repeatable)
 *   npm run bench:backup -- --size 64MiB --reps 1 --no-save   # a quick try, results not written
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Dataset, generateDataset, treeBytes } from './lib/dataset.js';
import { assertGnuTime, type Measurement, run, shPipeline, shq, timeCommand } from './lib/measure.js';
import {
  bestOf,
  consoleTable,
  MB,
  markdownTable,
  phase,
  type Results,
  type SizeResult,
  type ToolResult,
  target,
  targetLines,
} from './lib/report.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist/cli/main.js');
const RESULTS_FILE = path.join(ROOT, 'bench/results/backup.json');
const README = path.join(ROOT, 'bench/README.md');
const DEFAULT_SIZES = ['256MiB', '1GiB'];
const RESTIC_PASSWORD = 'steward-bench';
const MANIFEST_NAME = 'steward-manifest.json';

// ---------------------------------------------------------------- arguments

interface Options {
  sizes: { label: string; bytes: number }[];
  reps: number;
  save: boolean;
  keep: boolean;
}

function parseSize(text: string): { label: string; bytes: number } {
  const m = /^(\d+)\s*(KiB|MiB|GiB)$/i.exec(text.trim());
  if (!m) throw new Error(`--size ${text}: expected a size like 256MiB or 1GiB`);
  const unit = (m[2] as string).toLowerCase();
  const mult = unit === 'gib' ? 2 ** 30 : unit === 'mib' ? 2 ** 20 : 2 ** 10;
  const n = Number(m[1]);
  return { label: `${n}${unit === 'gib' ? 'GiB' : unit === 'mib' ? 'MiB' : 'KiB'}`, bytes: n * mult };
}

function parseArgs(argv: string[]): Options {
  const sizes: string[] = [];
  let reps = 2;
  let save = true;
  let keep = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--size') sizes.push(value());
    else if (a.startsWith('--size=')) sizes.push(a.slice('--size='.length));
    else if (a === '--reps') reps = Number(value());
    else if (a === '--no-save') save = false;
    else if (a === '--keep') keep = true;
    else if (a === '--help' || a === '-h') {
      console.log(
        'usage: npm run bench:backup [-- --size 256MiB|1GiB ...] [--reps N] [--no-save] [--keep]\n' +
          '  --size     dataset size (repeatable; default: 256MiB and 1GiB)\n' +
          '  --reps     runs per measured command, the best is kept (default 2)\n' +
          '  --no-save  print only; do not write bench/results/backup.json or bench/README.md\n' +
          '  --keep     keep the temporary dataset and outputs',
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${a} (see --help)`);
  }
  if (!Number.isInteger(reps) || reps < 1) throw new Error('--reps must be a positive integer');
  return { sizes: (sizes.length ? sizes : DEFAULT_SIZES).map(parseSize), reps, save, keep };
}

// ---------------------------------------------------------------- environment

const TOOLS = ['tar', 'gzip', 'pigz', 'age', 'age-keygen', 'restic', 'sh'];

function which(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${shq(cmd)}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function preflight(): Record<string, string> {
  assertGnuTime();
  const missing = TOOLS.filter((t) => !which(t));
  if (missing.length)
    throw new Error(`missing tools: ${missing.join(', ')} (install them; nothing is installed here)`);
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const first = (s: string) => s.trim().split('\n')[0] ?? '';
  const version = (argv: string[]) => {
    const r = spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8' });
    return first(`${r.stdout}${r.stderr}`);
  };
  return {
    age: version(['age', '--version']),
    restic: version(['restic', 'version']),
    pigz: version(['pigz', '--version']),
    gzip: version(['gzip', '--version']),
    tar: version(['tar', '--version']),
  };
}

/** A temp dir on a disk, not tmpfs: the benchmark must pay for real writes. */
function baseTempDir(): string {
  const candidates = [process.env.BENCH_TMPDIR, os.tmpdir(), '/var/tmp'].filter(Boolean) as string[];
  for (const dir of candidates) {
    const r = spawnSync('stat', ['-f', '-c', '%T', dir], { encoding: 'utf8' });
    if (r.status === 0 && !/tmpfs|ramfs/.test(r.stdout)) return dir;
  }
  throw new Error(`no disk-backed temp dir among ${candidates.join(', ')} (all tmpfs?); set BENCH_TMPDIR`);
}

function rmrf(p: string): void {
  fs.rmSync(p, { recursive: true, force: true });
}

function freshDir(p: string): string {
  rmrf(p);
  fs.mkdirSync(p, { recursive: true });
  return p;
}

function fileSize(p: string): number {
  return fs.statSync(p).size;
}

/** Flush dirty pages left by the previous step (dataset generation, a restore) so writeback does not land inside the next measurement. Nothing is dropped from the page cache. */
function settle(): void {
  spawnSync('sync');
}

// ---------------------------------------------------------------- one size

interface Setup {
  work: string;
  dataset: Dataset;
  key: string;
  recipient: string;
  config: string;
  stewardOut: string;
  env: NodeJS.ProcessEnv;
  resticEnv: NodeJS.ProcessEnv;
}

function setup(work: string, label: string, bytes: number): Setup {
  process.stdout.write(`[${label}] generating the dataset in ${work} … `);
  const dataset = generateDataset(path.join(work, 'data'), bytes);
  settle();
  console.log(
    `${(dataset.bytes / MB).toFixed(1)} MB (random ${(dataset.parts.random / MB).toFixed(1)}, text ${(dataset.parts.text / MB).toFixed(1)}, sqlite ${(dataset.parts.sqlite / MB).toFixed(1)}) in ${dataset.generateSeconds.toFixed(1)} s`,
  );

  const key = path.join(work, 'backup.key');
  run(['/usr/bin/age-keygen', '-o', key]);
  const recipient = run(['/usr/bin/age-keygen', '-y', key]).trim();
  if (!/^age1[0-9a-z]+$/.test(recipient)) throw new Error(`age-keygen -y printed ${recipient}`);

  const stewardOut = path.join(work, 'out/steward');
  const config = path.join(work, 'steward.yaml');
  fs.writeFileSync(
    config,
    `version: 1
name: bench
data_dir: ./state
backups:
  encryption:
    recipients: [${recipient}]
    identity_file: ./backup.key
  targets:
    local: { type: local, path: ./out/steward }
  jobs:
    bench:
      sources:
        - { type: path, name: files, path: ${JSON.stringify(dataset.filesDir)} }
        - { type: sqlite, name: db, path: ${JSON.stringify(dataset.dbFile)} }
      targets: [local]
      verify: { after_backup: false }
`,
  );
  const env = { ...process.env, NO_COLOR: '1' };
  const resticEnv = {
    ...env,
    RESTIC_PASSWORD,
    RESTIC_REPOSITORY: path.join(work, 'out/restic'),
    RESTIC_CACHE_DIR: path.join(work, 'restic-cache'),
  };
  return { work, dataset, key, recipient, config, stewardOut, env, resticEnv };
}

interface Bench {
  key: string;
  label: string;
  once: () => Measurement;
}

/**
 * Runs every bench of a phase once per round, in the given order, for `reps` rounds: a
 * slowdown of the machine that comes and goes then hits every tool alike rather than all the
 * runs of one tool.
 */
function rounds(reps: number, benches: Bench[]): Record<string, Measurement[]> {
  const out: Record<string, Measurement[]> = {};
  for (let i = 0; i < reps; i++) {
    for (const b of benches) {
      settle();
      const m = b.once();
      const runs = out[b.key] ?? [];
      out[b.key] = runs;
      runs.push({
        wallS: m.wallS,
        maxRssKiB: m.maxRssKiB,
        userS: m.userS,
        sysS: m.sysS,
        othersCores: m.othersCores,
      });
      console.log(
        `  ${b.label.padEnd(24)} run ${i + 1}: ${m.wallS.toFixed(2)} s, peak RSS ${(m.maxRssKiB / 1024).toFixed(1)} MiB, CPU ${(m.userS + m.sysS).toFixed(1)} s, others ${m.othersCores.toFixed(2)} cores`,
      );
    }
  }
  return out;
}

const runsOf = (all: Record<string, Measurement[]>, key: string): Measurement[] => all[key] ?? [];

/**
 * How many cores this VM actually gets: `pigz -p 2` on a log file, CPU seconds ÷ wall seconds.
 * About 2.0 when both cores are ours; contention from outside the VM (other guests on the
 * host) shows here even when /proc/stat inside the VM looks idle.
 */
function cpuProbe(file: string): number {
  // At least 128 MB of input, so GNU time's 10 ms resolution does not matter.
  const times = Math.max(1, Math.ceil((128 * MB) / fileSize(file)));
  const files = Array.from({ length: times }, () => shq(file)).join(' ');
  settle();
  const m = timeCommand('cpu probe', ['sh', '-c', `pigz -p 2 -1 -c ${files} > /dev/null`]);
  return (m.userS + m.sysS) / m.wallS;
}

function expectBytes(what: string, got: number, want: number): void {
  if (got !== want) throw new Error(`${what}: ${got} bytes restored, the dataset has ${want}`);
}

function measureSize(s: Setup, reps: number): Omit<SizeResult, 'measuredAt' | 'loadavg' | 'reps'> {
  const { work, dataset, key, recipient, config, env, resticEnv } = s;
  const data = dataset.dir;
  const total = dataset.bytes;
  const steward = (args: string[]) => [process.execPath, CLI, ...args, '-c', config];
  const failFile = path.join(work, 'pipeline.failed');
  const sh = (stages: string[], redirect: string) => ['sh', '-c', shPipeline(stages, redirect, failFile)];
  const probeFile = path.join(dataset.filesDir, 'logs/app-1.log');
  const probe = (when: string) => {
    const cores = cpuProbe(probeFile);
    console.log(`  cpu probe (${when}): pigz -p 2 got ${cores.toFixed(2)} cores`);
    return cores;
  };

  // ------------------------------------------------------------ backup
  console.log('backup');
  const probeBackup = probe('before backup');
  let archive = '';
  const gzipOut = path.join(work, 'out/tar-gzip.tar.gz.age');
  const pigzOut = path.join(work, 'out/tar-pigz.tar.gz.age');
  const repo = resticEnv.RESTIC_REPOSITORY as string;
  const gzipCmd = 'tar -c -C DIR . | gzip -1 | age -r RECIPIENT > out';
  const pigzCmd = 'tar -c -C DIR . | pigz -1 | age -r RECIPIENT > out';
  const backupRuns = rounds(reps, [
    {
      key: 'steward',
      label: 'steward backup run',
      once: () => {
        freshDir(s.stewardOut);
        const r = timeCommand('steward backup run', steward(['backup', 'run', 'bench', '--json']), {
          cwd: work,
          env,
        });
        const doc = JSON.parse(r.stdout) as { run: { state: string; error: string | null } };
        if (doc.run.state !== 'completed')
          throw new Error(`steward backup run: ${doc.run.state} ${doc.run.error}`);
        const files = fs.readdirSync(s.stewardOut).filter((f) => f.endsWith('.tar.gz.age'));
        if (files.length !== 1)
          throw new Error(`expected one archive in ${s.stewardOut}, found ${files.join(', ')}`);
        archive = path.join(s.stewardOut, files[0] as string);
        return r;
      },
    },
    {
      key: 'tar-gzip',
      label: 'tar|gzip -1|age',
      once: () => {
        rmrf(gzipOut);
        return timeCommand(
          'tar|gzip|age',
          sh([`tar -c -C ${shq(data)} .`, 'gzip -1', `age -r ${recipient}`], `> ${shq(gzipOut)}`),
        );
      },
    },
    {
      key: 'tar-pigz',
      label: 'tar|pigz -1|age',
      once: () => {
        rmrf(pigzOut);
        return timeCommand(
          'tar|pigz|age',
          sh([`tar -c -C ${shq(data)} .`, 'pigz -1', `age -r ${recipient}`], `> ${shq(pigzOut)}`),
        );
      },
    },
    {
      key: 'restic',
      label: 'restic backup',
      once: () => {
        rmrf(repo);
        rmrf(resticEnv.RESTIC_CACHE_DIR as string);
        run(['restic', 'init', '-q'], { env: resticEnv });
        settle();
        return timeCommand('restic backup', ['restic', 'backup', '-q', data], { env: resticEnv });
      },
    },
  ]);
  const backup = phase(
    {
      steward: bestOf(
        'steward backup run',
        'steward backup run <job> --json',
        runsOf(backupRuns, 'steward'),
        total,
        fileSize(archive),
      ),
      'tar-gzip': bestOf(
        'tar|gzip -1|age',
        gzipCmd,
        runsOf(backupRuns, 'tar-gzip'),
        total,
        fileSize(gzipOut),
      ),
      'tar-pigz': bestOf(
        'tar|pigz -1|age',
        pigzCmd,
        runsOf(backupRuns, 'tar-pigz'),
        total,
        fileSize(pigzOut),
      ),
      restic: bestOf(
        'restic backup',
        'restic backup DIR',
        runsOf(backupRuns, 'restic'),
        total,
        treeBytes(repo).bytes,
      ),
    },
    'steward',
  );

  // ------------------------------------------------------------ restore
  console.log('restore');
  const probeRestore = probe('before restore');
  const restored = path.join(work, 'restored');
  const restoreCmd = 'age -d -i KEY FILE | tar -xz -C DIR';
  const restoreRuns = rounds(reps, [
    {
      key: 'steward',
      label: 'steward restore',
      once: () => {
        rmrf(restored);
        const r = timeCommand('steward restore', steward(['restore', archive, '--to', restored, '--json']), {
          cwd: work,
          env,
        });
        expectBytes('steward restore', treeBytes(restored, (n) => n === MANIFEST_NAME).bytes, total);
        return r;
      },
    },
    {
      key: 'pipeline',
      label: 'age -d|tar -xz',
      once: () => {
        freshDir(restored);
        const r = timeCommand(
          'age -d | tar -xz',
          sh([`age -d -i ${shq(key)} ${shq(pigzOut)}`, `tar -xz -C ${shq(restored)}`], ''),
        );
        expectBytes('age -d | tar -xz', treeBytes(restored).bytes, total);
        return r;
      },
    },
    {
      key: 'restic',
      label: 'restic restore',
      once: () => {
        rmrf(restored);
        const r = timeCommand('restic restore', ['restic', 'restore', 'latest', '-q', '--target', restored], {
          env: resticEnv,
        });
        expectBytes('restic restore', treeBytes(restored).bytes, total);
        return r;
      },
    },
  ]);
  rmrf(restored);
  // Every restore was checked to hold exactly the dataset's bytes.
  const restore = phase(
    {
      steward: bestOf(
        'steward restore',
        'steward restore ARCHIVE --to DIR',
        runsOf(restoreRuns, 'steward'),
        total,
        total,
      ),
      pipeline: bestOf('age -d|tar -xz', restoreCmd, runsOf(restoreRuns, 'pipeline'), total, total),
      restic: bestOf(
        'restic restore',
        'restic restore latest --target DIR',
        runsOf(restoreRuns, 'restic'),
        total,
        total,
      ),
    },
    'steward',
  );

  // ------------------------------------------------------------ verify
  console.log('verify');
  const probeVerify = probe('before verify');
  const verifyCmd = 'age -d -i KEY FILE | gzip -t';
  const verifyRuns = rounds(reps, [
    {
      key: 'steward',
      label: 'steward backup verify',
      once: () => {
        const r = timeCommand('steward backup verify', steward(['backup', 'verify', archive, '--json']), {
          cwd: work,
          env,
        });
        const doc = JSON.parse(r.stdout) as { results: { ok: boolean; mode: string }[] };
        const v = doc.results[0];
        if (!v?.ok || v.mode !== 'full') throw new Error(`steward backup verify: ${r.stdout}`);
        return r;
      },
    },
    {
      key: 'pipeline',
      label: 'age -d|gzip -t',
      once: () =>
        timeCommand('age -d | gzip -t', sh([`age -d -i ${shq(key)} ${shq(pigzOut)}`, 'gzip -t'], '')),
    },
  ]);
  const verify = phase(
    {
      steward: bestOf(
        'steward backup verify',
        'steward backup verify ARCHIVE --json',
        runsOf(verifyRuns, 'steward'),
        total,
        null,
      ),
      pipeline: bestOf('age -d|gzip -t', verifyCmd, runsOf(verifyRuns, 'pipeline'), total, null),
    },
    'steward',
  );
  const probeEnd = probe('at the end');

  const ratio = (p: typeof backup, k: string) => p.ratios[k]?.throughput ?? Number.NaN;
  const tool = (p: typeof backup, k: string) => p.tools[k] as ToolResult;
  const stewardRss = Math.max(
    tool(backup, 'steward').peakRssMiB,
    tool(restore, 'steward').peakRssMiB,
    tool(verify, 'steward').peakRssMiB,
  );
  return {
    dataset: {
      bytes: dataset.bytes,
      files: dataset.files,
      parts: dataset.parts,
      dir: 'files/random (4 × random), files/logs (4 × log lines), db/app.db (SQLite)',
      generateSeconds: dataset.generateSeconds,
    },
    cpuProbe: { backup: probeBackup, restore: probeRestore, verify: probeVerify, end: probeEnd },
    backup,
    restore,
    verify,
    targets: [
      target(
        'backup-vs-pigz',
        'backup ≥ 1.0× the tar|pigz -1|age throughput',
        ratio(backup, 'tar-pigz'),
        '>=',
        1,
      ),
      target(
        'restore-vs-pipeline',
        'restore ≥ 1.0× the age -d|tar -xz throughput',
        ratio(restore, 'pipeline'),
        '>=',
        1,
      ),
      target(
        'verify-vs-pipeline',
        'verify ≥ 1.0× the age -d|gzip -t throughput',
        ratio(verify, 'pipeline'),
        '>=',
        1,
      ),
      target(
        'rss-steward',
        'Steward peak RSS < 120 MiB (largest of backup, restore, verify)',
        stewardRss,
        '<',
        120,
      ),
    ],
  };
}

// ---------------------------------------------------------------- output

const NOTES = [
  'One run on the machine described under "machine"; absolute figures depend on it, only the ratios are meant to be compared.',
  'MB/s = dataset bytes / wall seconds (10^6 bytes). Each command ran `reps` times; the fastest run is kept, peak RSS is the largest over the runs.',
  'Wall time and peak RSS come from GNU time -v. For an `sh -c` pipeline GNU time reports ru_maxrss of the waited-for children: the largest single process of the pipeline (tar, gzip/pigz or age), not their sum.',
  '`sync` runs (untimed) before every measured command, so writeback left by the previous step is not charged to the next one; the page cache is not dropped, so every tool reads a warm dataset.',
  'Steward fsyncs the archive before renaming it (crash safety) and copies the SQLite database through the online backup API into a scratch file first; the tar pipelines write `> out` without fsync and read the database file raw; restic reads it raw too.',
  'The restore and verify pipelines read the tar|pigz -1|age archive; restic restores from the repository of its last backup run.',
  '"others, cores" is what the rest of the machine used during the kept run (from /proc/stat); rows with high values were slowed by other work on the 2 shared cores.',
];

function loadPrevious(): Results | null {
  try {
    return JSON.parse(fs.readFileSync(RESULTS_FILE, 'utf8')) as Results;
  } catch {
    return null;
  }
}

const BEGIN = '<!-- bench:backup:begin -->';
const END = '<!-- bench:backup:end -->';

const INTRO = `# Benchmarks

Numbers in this directory come from one run on a small machine (2 cores). Absolute figures say
more about that machine than about Steward: **only the ratios between tools measured in the same
run are meaningful**.

## Backup (\`bench/backup.ts\`)

What it measures, per dataset size (256 MiB and 1 GiB by default):

* a generated dataset: one third random bytes (4 files), one third application log lines (4 files),
  one third an SQLite database (one table of mixed text and numbers), written once per size to a
  temporary directory on disk (not tmpfs) and reused by every tool;
* **backup** — \`steward backup run <job> --json\` (a \`path\` source for the files, a \`sqlite\`
  source for the database, one \`local\` target, \`verify.after_backup: false\`, no retention) against
  \`tar -c -C DIR . | gzip -1 | age -r R > out\`, \`tar -c -C DIR . | pigz -1 | age -r R > out\` and
  \`restic backup DIR\` into a fresh local repository (\`restic init\` untimed);
* **restore** — \`steward restore ARCHIVE --to DIR\` against \`age -d -i KEY FILE | tar -xz -C DIR\` and
  \`restic restore latest --target DIR\`;
* **verify** — \`steward backup verify ARCHIVE --json\` (full: decrypt, decompress, hash every entry
  against the manifest; \`identity_file\` is set) against \`age -d -i KEY FILE | gzip -t\`.

Each command runs under \`/usr/bin/time -v\` twice, in two rounds (each round runs every tool of the
phase once, in the order above, so the caches are comparably warm and a passing slowdown hits
every tool alike), and the faster run is kept; peak RSS
is GNU time's "Maximum resident set size" (for an \`sh -c\` pipeline: the largest single process of
the pipeline, as the kernel reports it for waited-for children). MB/s is dataset bytes / wall
seconds. "others, cores" is the CPU everything else on the machine used while the command ran (busy
and stolen time from \`/proc/stat\` minus the command's own CPU): near 0 on a quiet machine; on these
2 cores, 0.5 or more means the row was slowed by contention and its ratios are suspect. Since
this is a VM, other guests on the host can take CPU without showing there: a \`pigz -p 2\` probe
before each phase reports how many cores the VM really got (about 2.0 when the host is quiet). Outputs
are removed between runs; the temporary data is deleted at the end.

The targets (backup ≥ 1.0× the \`tar | pigz -1 | age\` throughput, restore and verify ≥ 1.0× their
pipelines, Steward peak RSS < 120 MB at both sizes) are reported as met or not met, never asserted;
RSS is compared in MiB, as GNU time reports KiB.

Run it:

\`\`\`sh
npm run bench:backup                   # both sizes; several minutes
npm run bench:backup -- --size 1GiB    # one size; the other size's figures in results/backup.json are kept
npm run bench:backup -- --size 64MiB --reps 1 --no-save   # quick check, nothing written
\`\`\`

Needs GNU time, tar, gzip, pigz, age/age-keygen and restic on the PATH; it installs nothing.
Raw figures (every run, load average, tool versions): [results/backup.json](results/backup.json).

${BEGIN}
${END}
`;

function probeText(size: SizeResult): string {
  const p = size.cpuProbe;
  if (!p) return 'not measured';
  return `${p.backup.toFixed(2)} before backup, ${p.restore.toFixed(2)} before restore, ${p.verify.toFixed(2)} before verify, ${p.end.toFixed(2)} at the end`;
}

function readmeSection(results: Results): string {
  const m = results.machine;
  const out: string[] = [
    '### Results',
    '',
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memGiB} GiB RAM, ${m.os}, Node ${m.node}; ${m.tools.age ? `age ${m.tools.age}, ` : ''}${m.tools.restic}; ${m.tools.pigz}; ${m.tools.gzip}.`,
    '',
  ];
  for (const [label, size] of Object.entries(results.sizes)) {
    const d = size.dataset;
    out.push(
      `#### ${label} — ${(d.bytes / MB).toFixed(1)} MB (random ${(d.parts.random / MB).toFixed(1)}, text ${(d.parts.text / MB).toFixed(1)}, SQLite ${(d.parts.sqlite / MB).toFixed(1)} MB)`,
      '',
      `Measured ${size.measuredAt}, best of ${size.reps}; load average ${size.loadavg.start.map((n) => n.toFixed(2)).join(' ')} at the start, ${size.loadavg.end.map((n) => n.toFixed(2)).join(' ')} at the end; cores the \`pigz -p 2\` probe got: ${probeText(size)}.`,
      '',
      markdownTable(size),
      '',
      'Targets (reported, not asserted):',
      '',
      ...targetLines(size).map((l) => `* ${l}`),
      '',
    );
  }
  out.push('Notes:', '', ...results.notes.map((n) => `* ${n}`));
  return out.join('\n');
}

function writeReadme(results: Results): void {
  let text = fs.existsSync(README) ? fs.readFileSync(README, 'utf8') : INTRO;
  if (!text.includes(BEGIN) || !text.includes(END)) text = `${text.trimEnd()}\n\n${BEGIN}\n${END}\n`;
  const start = text.indexOf(BEGIN) + BEGIN.length;
  const end = text.indexOf(END);
  text = `${text.slice(0, start)}\n${readmeSection(results)}\n${text.slice(end)}`;
  fs.writeFileSync(README, text);
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const tools = preflight();
  const base = baseTempDir();
  const startLoad = os.loadavg();
  console.log(
    `steward backup benchmark: ${opts.sizes.map((s) => s.label).join(', ')}; ${os.cpus().length} CPUs, load ${startLoad.map((n) => n.toFixed(2)).join(' ')}; temp dir ${base}`,
  );

  const sizes: Record<string, SizeResult> = {};
  let work = '';
  const cleanup = () => {
    if (work && !opts.keep) rmrf(work);
  };
  process.once('SIGINT', () => {
    cleanup();
    process.exit(130);
  });
  for (const size of opts.sizes) {
    work = fs.mkdtempSync(path.join(base, `steward-bench-${size.label}-`));
    try {
      const loadStart = os.loadavg();
      const s = setup(work, size.label, size.bytes);
      const measured = measureSize(s, opts.reps);
      sizes[size.label] = {
        measuredAt: new Date().toISOString(),
        loadavg: { start: loadStart, end: os.loadavg() },
        reps: opts.reps,
        ...measured,
      };
      console.log(`\n${size.label}\n${consoleTable(sizes[size.label] as SizeResult)}\n`);
      console.log(`  cpu probe: ${probeText(sizes[size.label] as SizeResult)}`);
      for (const l of targetLines(sizes[size.label] as SizeResult)) console.log(`  ${l}`);
      console.log();
    } finally {
      cleanup();
      if (opts.keep) console.log(`kept ${work}`);
    }
  }

  const previous = loadPrevious();
  const results: Results = {
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
      memGiB: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
      os: `${os.type()} ${os.release()}`,
      date: new Date().toISOString(),
      loadavg: startLoad,
      tools,
    },
    notes: NOTES,
    // A run of one size keeps the other sizes' figures; each carries its own measuredAt.
    sizes: { ...(previous?.sizes ?? {}), ...sizes },
  };
  const ordered: Record<string, SizeResult> = {};
  for (const [k, v] of Object.entries(results.sizes).sort(
    (a, b) => a[1].dataset.bytes - b[1].dataset.bytes,
  )) {
    ordered[k] = v;
  }
  results.sizes = ordered;

  if (opts.save) {
    fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
    fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
    writeReadme(results);
    console.log(`wrote ${path.relative(ROOT, RESULTS_FILE)} and ${path.relative(ROOT, README)}`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
