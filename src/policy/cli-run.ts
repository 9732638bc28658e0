import fs from 'node:fs';
import path from 'node:path';
import type { Colors } from '../cli/output.js';
import { StewardError } from '../core/errors.js';
import { stewardVersion } from '../core/version.js';
import { loadProject } from './compose/load.js';
import type { PolicySettings } from './config-schema.js';
import { dockerRunningImages, type FileFix, planFixes, unifiedDiff, writeFixes } from './fix/index.js';
import { lintProject } from './lint.js';
import { addTotals, type ReportFormat, streamReporters, type Totals, totalsOf } from './reporters/index.js';
import { tooManyWarnings } from './reporters/util.js';
import type { PolicyProfile } from './rules/types.js';
import { lintOptionsFrom, lintTargets, type RunLintOptions } from './run-lint.js';
import { defaultComposeFiles, type LintTarget } from './targets.js';

export interface LintCliOptions {
  files: string[];
  merged: string[];
  format: ReportFormat;
  fix: boolean;
  fixDryRun: boolean;
  maxWarnings?: number | undefined;
  profile?: PolicyProfile | undefined;
  composeProfiles: string[];
  config?: string | undefined;
  colors: Colors;
  write(text: string): void;
  note(text: string): void;
}

/** A config is read only when one is named or sits in the current directory: lint works without one. */
async function loadPolicy(configFile: string | undefined) {
  const named = configFile || process.env.STEWARD_CONFIG;
  if (!named && !fs.existsSync(path.resolve('steward.yaml'))) return undefined;
  const { loadConfig } = await import('../config/load.js');
  return loadConfig({ file: configFile });
}

/** `steward lint`: returns the exit code (0 clean, 1 errors or too many warnings). */
export async function runLintCli(opts: LintCliOptions): Promise<number> {
  if (opts.fix && opts.fixDryRun)
    throw new StewardError('E_USAGE', '--fix and --fix-dry-run exclude each other');
  const config = await loadPolicy(opts.config);
  const policy: PolicySettings | undefined = config?.policy;
  const targets: LintTarget[] = opts.files.map((file) => ({ files: [file] }));
  if (opts.merged.length) targets.push({ files: opts.merged });
  if (targets.length === 0) {
    if (config) {
      const { configuredTargets } = await import('./targets.js');
      targets.push(...configuredTargets(config));
    } else {
      const found = defaultComposeFiles(process.cwd());
      if (found.length) targets.push({ files: found });
    }
  }
  if (targets.length === 0) {
    throw new StewardError('E_USAGE', 'no compose files to lint', {
      hint: 'name them (steward lint compose.yaml), or run where compose.yaml or steward.yaml is',
    });
  }
  const lintOpts: RunLintOptions = { policy, profile: opts.profile, composeProfiles: opts.composeProfiles };

  if (opts.fix || opts.fixDryRun) {
    const fixes = await planTargetFixes(targets, lintOpts);
    const count = fixes.reduce((n, f) => n + f.applied.length, 0);
    const where = `${count} fix${count === 1 ? '' : 'es'} in ${fixes.length} file${fixes.length === 1 ? '' : 's'}`;
    if (opts.fixDryRun) {
      for (const fix of fixes) opts.write(unifiedDiff(fix));
      opts.note(`${where} (dry run: nothing written)`);
      return 0;
    }
    writeFixes(fixes);
    opts.note(`applied ${where}`);
  }

  const maxWarnings = opts.maxWarnings ?? policy?.max_warnings;
  const stream = streamReporters[opts.format]({
    colors: opts.colors,
    toolVersion: stewardVersion,
    ...(maxWarnings !== undefined ? { maxWarnings } : {}),
  });
  // Project by project: each result is written and dropped, so memory stays flat over any number of files.
  opts.write(stream.begin());
  let totals: Totals = { files: 0, services: 0, errors: 0, warnings: 0, info: 0, suppressed: 0 };
  for (const target of targets) {
    const result = lintTargets([target], lintOpts);
    opts.write(stream.project(result));
    totals = addTotals(totals, totalsOf(result));
  }
  opts.write(stream.end(totals));
  return exitCode(totals, maxWarnings);
}

/** DOCKER_HOST when it names a unix socket (as the docker CLI reads it), else the default socket. */
function dockerSocket(): string | undefined {
  const host = process.env.DOCKER_HOST;
  return host?.startsWith('unix://') ? host.slice('unix://'.length) : undefined;
}

/** Plans per project, so a fix sees what the other -f files and extends bases already set. */
async function planTargetFixes(targets: LintTarget[], opts: RunLintOptions): Promise<FileFix[]> {
  const all: FileFix[] = [];
  for (const target of targets) {
    const project = loadProject(target.files);
    const result = lintProject(project, lintOptionsFrom(opts));
    // What docker compose names the project: `name:`, else the first file's directory, normalised.
    const named = project.root?.entries.find((e) => e.key === 'name')?.value;
    const projectName = (
      named?.kind === 'scalar' && named.value
        ? String(named.value)
        : path.basename(path.dirname(path.resolve(target.files[0] ?? '.')))
    )
      .toLowerCase()
      .replace(/[^a-z0-9_-]/g, '');
    const running = dockerRunningImages(dockerSocket(), { project: projectName });
    for (const fix of await planFixes(result.findings, { running, project })) {
      if (!all.some((f) => f.file === fix.file)) all.push(fix);
    }
  }
  return all;
}

export function exitCode(totals: Totals, maxWarnings: number | undefined): number {
  if (totals.errors > 0) return 1;
  if (tooManyWarnings(totals.warnings, maxWarnings)) return 1;
  return 0;
}
