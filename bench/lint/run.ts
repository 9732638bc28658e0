/** One timed linter process, what its output says, and how many security rules each tool checks. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DCLinter } from 'dclint';
import { rules } from '../../src/policy/rules/index.js';
import { GNU_TIME } from '../lib/measure.js';

export interface Run {
  tool: 'steward' | 'dclint';
  /** Spawn to exit as this process saw it (includes Node start-up and module loading). */
  wallS: number;
  /** GNU time %M: peak RSS of the linter process, KiB. */
  maxRssKiB: number;
  userS: number;
  sysS: number;
  /** CPU the rest of the machine used meanwhile, in cores (/proc/stat busy minus this process). */
  othersCores: number;
  exitCode: number;
  stdoutBytes: number;
}

/** Busy (incl. steal) CPU seconds of the whole machine so far. */
function machineBusyS(): number {
  const fields = (fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields.map(Number);
  return (user + nice + system + irq + softirq + steal) / 100; // USER_HZ
}

/**
 * Runs argv under `/usr/bin/time -f '%M %U %S'` with stdout into `stdoutFile` (no pipe for a large
 * report to fill). Exit 0 and 1 (findings) are fine; anything else throws with stderr.
 */
export function timedRun(tool: Run['tool'], argv: string[], cwd: string, stdoutFile: string): Run {
  const report = path.join(cwd, `time-${process.pid}.txt`);
  const out = fs.openSync(stdoutFile, 'w');
  const env = { ...process.env };
  delete env.STEWARD_CONFIG; // the default policy, as with no steward.yaml in cwd
  try {
    const busy0 = machineBusyS();
    const t0 = performance.now();
    const r = spawnSync(GNU_TIME, ['-f', '%M %U %S', '-o', report, ...argv], {
      cwd,
      env,
      stdio: ['ignore', out, 'pipe'],
      encoding: 'utf8',
      maxBuffer: 16 << 20,
    });
    const wallS = (performance.now() - t0) / 1000;
    const busy1 = machineBusyS();
    if (r.error) throw r.error;
    if (r.status !== 0 && r.status !== 1) {
      throw new Error(
        `${tool} exited ${r.status ?? r.signal}: ${argv.slice(0, 6).join(' ')} …\n${r.stderr.slice(-4000)}`,
      );
    }
    const last = fs.readFileSync(report, 'utf8').trim().split('\n').at(-1) ?? '';
    const [rss, user, sys] = last.split(' ').map(Number) as [number, number, number];
    const othersCores = Math.max(0, (busy1 - busy0 - user - sys) / wallS);
    const stdoutBytes = fs.statSync(stdoutFile).size;
    if (r.stderr.trim()) console.log(`  ${tool} stderr: ${r.stderr.trim().slice(0, 500)}`);
    return {
      tool,
      wallS,
      maxRssKiB: rss,
      userS: user,
      sysS: sys,
      othersCores,
      exitCode: r.status,
      stdoutBytes,
    };
  } finally {
    fs.closeSync(out);
    fs.rmSync(report, { force: true });
  }
}

/** What a run reported: files, findings, and the rule ids that stand for "could not lint this file". */
export interface Output {
  files: number;
  findings: number;
  byRule: Record<string, number>;
  /** Files the tool could not read as compose (Steward invalid-compose; dclint invalid-yaml/-schema). */
  unreadableFiles: number;
  /** Findings of security rules (Steward: `security: true`; dclint: `category: security`). */
  securityFindings: number;
}

const count = (m: Record<string, number>, k: string) => {
  m[k] = (m[k] ?? 0) + 1;
};

interface StewardFinding {
  ruleId: string;
  file: string;
}

/** Parses `steward lint --format json`; JSON.parse throws unless it is exactly one document. */
export function stewardOutput(file: string, expectedFiles: number): Output {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    version: number;
    summary: { files: number; errors: number; warnings: number; info: number; suppressed: number };
    findings: StewardFinding[];
  };
  if (doc.version !== 1 || !Array.isArray(doc.findings))
    throw new Error(`unexpected steward JSON in ${file}`);
  if (doc.summary.files !== expectedFiles) {
    throw new Error(`steward linted ${doc.summary.files} files, expected ${expectedFiles}`);
  }
  const byRule: Record<string, number> = {};
  const security = new Set(rules.filter((r) => r.security).map((r) => r.id));
  const unreadable = new Set<string>();
  let securityFindings = 0;
  for (const f of doc.findings) {
    count(byRule, f.ruleId);
    if (f.ruleId === 'invalid-compose') unreadable.add(f.file);
    if (security.has(f.ruleId)) securityFindings++;
  }
  return {
    files: doc.summary.files,
    findings: doc.findings.length,
    byRule,
    unreadableFiles: unreadable.size,
    securityFindings,
  };
}

interface DclintFile {
  filePath: string;
  messages: { rule: string; category: string }[];
}

/** Parses dclint's `-f json` report: one entry per file it linted. */
export function dclintOutput(file: string): Output {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as DclintFile[];
  if (!Array.isArray(doc)) throw new Error(`unexpected dclint JSON in ${file}`);
  const byRule: Record<string, number> = {};
  let findings = 0;
  let unreadableFiles = 0;
  let securityFindings = 0;
  for (const f of doc) {
    findings += f.messages.length;
    if (f.messages.some((m) => ['invalid-yaml', 'invalid-schema', 'unknown-error'].includes(m.rule))) {
      unreadableFiles++;
    }
    for (const m of f.messages) {
      count(byRule, m.rule);
      if (m.category === 'security') securityFindings++;
    }
  }
  return { files: doc.length, findings, byRule, unreadableFiles, securityFindings };
}

export interface SecurityRules {
  steward: { count: number; ids: string[]; totalRules: number };
  dclint: { count: number; ids: string[]; totalRules: number };
}

/**
 * Steward: registry rules with `security: true` that the default (baseline) profile runs. dclint:
 * the rules its linter loads with no config file, by their own `category` — read off a DCLinter
 * instance, whose rule list is private in the typings but is what the CLI runs.
 */
export function securityRules(): SecurityRules {
  const stewardIds = rules.filter((r) => r.security && !r.strictOnly).map((r) => r.id);
  const linter = new DCLinter({ debug: false, exclude: [], rules: {}, quiet: false });
  const loaded = (linter as unknown as { rules: { name: string; category: string }[] }).rules;
  const dclintIds = loaded.filter((r) => r.category === 'security').map((r) => r.name);
  return {
    steward: { count: stewardIds.length, ids: stewardIds, totalRules: rules.length },
    dclint: { count: dclintIds.length, ids: dclintIds, totalRules: loaded.length },
  };
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
