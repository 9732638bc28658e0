import { countBySeverity, type LintResult } from '../findings.js';
import { github } from './github.js';
import { json } from './json.js';
import { junit } from './junit.js';
import { sarif } from './sarif.js';
import { text } from './text.js';
import type { Reporter, StreamReporter, Totals } from './types.js';

export type { ReportContext, Reporter, ReportInput, ReportStream, StreamReporter, Totals } from './types.js';

/** The formats `--format` accepts, written project by project. */
export const streamReporters = { text, json, sarif, junit, github } satisfies Record<string, StreamReporter>;
export type ReportFormat = keyof typeof streamReporters;

export function totalsOf(result: LintResult): Totals {
  const counts = countBySeverity(result.findings);
  return {
    files: result.files.length,
    services: result.services,
    errors: counts.error,
    warnings: counts.warning,
    info: counts.info,
    suppressed: result.suppressed.length,
  };
}

export function addTotals(a: Totals, b: Totals): Totals {
  return {
    files: a.files + b.files,
    services: a.services + b.services,
    errors: a.errors + b.errors,
    warnings: a.warnings + b.warnings,
    info: a.info + b.info,
    suppressed: a.suppressed + b.suppressed,
  };
}

function whole(stream: StreamReporter): Reporter {
  return ({ result, ...ctx }) => {
    const s = stream(ctx);
    return s.begin() + s.project(result) + s.end(totalsOf(result));
  };
}

/** The same formats, rendering one result at once (tests, the API). */
export const reporters = {
  text: whole(text),
  json: whole(json),
  sarif: whole(sarif),
  junit: whole(junit),
  github: whole(github),
} satisfies Record<ReportFormat, Reporter>;
