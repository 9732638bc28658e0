/** What other capabilities (deploy's policy gate and plan) use from the policy linter. */
export { readEnvFile } from './compose/env-file.js';
export { loadProject } from './compose/load.js';
export type { CNode } from './compose/nodes.js';
export type { ComposeProject, ServiceModel } from './compose/project.js';
export type { Finding, LintResult } from './findings.js';
export { lintOptionsFrom, lintTargets } from './run-lint.js';
export { defaultComposeFiles, defaultProjectName } from './targets.js';
