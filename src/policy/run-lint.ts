import type { Env } from './compose/interpolate.js';
import { loadProject } from './compose/load.js';
import type { PolicySettings } from './config-schema.js';
import type { LintResult } from './findings.js';
import { type LintOptions, lintProject } from './lint.js';
import type { PolicyProfile } from './rules/types.js';
import type { LintTarget } from './targets.js';

export interface RunLintOptions {
  policy?: PolicySettings | undefined;
  /** --profile overrides policy.profile. */
  profile?: PolicyProfile | undefined;
  composeProfiles?: string[] | undefined;
  env?: Env;
  now?: Date;
}

export function lintOptionsFrom(opts: RunLintOptions): LintOptions {
  const policy = opts.policy;
  return {
    profile: opts.profile ?? policy?.profile ?? 'baseline',
    severities: policy?.rules ?? {},
    exceptions: policy?.exceptions ?? [],
    publicServices: policy?.public_services ?? [],
    ...(opts.composeProfiles?.length ? { composeProfiles: opts.composeProfiles } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  };
}

/** Lints each target (one compose project each) and joins the results. */
export function lintTargets(targets: LintTarget[], opts: RunLintOptions = {}): LintResult {
  const lintOpts = lintOptionsFrom(opts);
  const joined: LintResult = { files: [], services: 0, findings: [], suppressed: [] };
  for (const target of targets) {
    const project = loadProject(target.files, opts.env ? { env: opts.env } : {});
    const result = lintProject(project, lintOpts);
    joined.files.push(...result.files);
    joined.services += result.services;
    for (const f of result.findings) joined.findings.push(f);
    for (const f of result.suppressed) joined.suppressed.push(f);
  }
  return joined;
}
