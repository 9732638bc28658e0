import fs from 'node:fs';
import path from 'node:path';
import type { Colors } from '../cli/output.js';
import { StewardError } from '../core/errors.js';
import { stewardVersion } from '../core/version.js';
import { loadProject } from './compose/load.js';
import type { PolicySettings } from './config-schema.js';
import { countBySeverity, type LintResult } from './findings.js';
import { dockerRunningImages, type FileFix, planFixes, unifiedDiff, writeFixes } from './fix/index.js';
import { lintProject } from './lint.js';
import { type ReportFormat, reporters } from './reporters/index.js';
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
  let result = lintTargets(targets, lintOpts);

  if (opts.fix || opts.fixDryRun) {
    const fixes = await planTargetFixes(targets, lintOpts);
    if (opts.fixDryRun) {
      for (const fix of fixes) opts.write(unifiedDiff(fix));
      const count = fixes.reduce((n, f) => n + f.applied.length, 0);
      opts.note(
        `${count} fix${count === 1 ? '' : 'es'} in ${fixes.length} file${fixes.length === 1 ? '' : 's'} (dry run: nothing written)`,
      );
      return 0;
    }
    writeFixes(fixes);
    const count = fixes.reduce((n, f) => n + f.applied.length, 0);
    opts.note(
      `fixed ${count} finding${count === 1 ? '' : 's'} in ${fixes.length} file${fixes.length === 1 ? '' : 's'}`,
    );
    result = lintTargets(targets, lintOpts);
  }

  const maxWarnings = opts.maxWarnings ?? policy?.max_warnings;
  opts.write(
    reporters[opts.format]({
      result,
      colors: opts.colors,
      toolVersion: stewardVersion,
      ...(maxWarnings !== undefined ? { maxWarnings } : {}),
    }),
  );
  return exitCode(result, maxWarnings);
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

export function exitCode(result: LintResult, maxWarnings: number | undefined): number {
  const counts = countBySeverity(result.findings);
  if (counts.error > 0) return 1;
  if (maxWarnings !== undefined && counts.warning > maxWarnings) return 1;
  return 0;
}
