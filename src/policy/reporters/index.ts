import { github } from './github.js';
import { json } from './json.js';
import { junit } from './junit.js';
import { sarif } from './sarif.js';
import { text } from './text.js';
import type { Reporter } from './types.js';

export type { Reporter, ReportInput } from './types.js';

/** The formats `--format` accepts; each renders the same LintResult. */
export const reporters = { text, json, sarif, junit, github } satisfies Record<string, Reporter>;
export type ReportFormat = keyof typeof reporters;
