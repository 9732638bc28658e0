import type { StreamReporter } from './types.js';
import { portablePath, tooManyWarnings } from './util.js';

// https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts (escapeData/escapeProperty)
export function escapeData(s: string): string {
  return s.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

export function escapeProperty(s: string): string {
  return escapeData(s).replaceAll(':', '%3A').replaceAll(',', '%2C');
}

const commands = { error: 'error', warning: 'warning', info: 'notice' } as const;

/** GitHub Actions workflow commands: each finding becomes an annotation on the line. */
export const github: StreamReporter = ({ maxWarnings }) => ({
  begin: () => '',
  project(result) {
    let out = '';
    for (const f of result.findings) {
      const props = [
        `file=${escapeProperty(portablePath(f.file))}`,
        `line=${f.line}`,
        `col=${f.column}`,
        `endLine=${f.endLine}`,
        `endColumn=${f.endColumn}`,
        `title=${escapeProperty(f.ruleId)}`,
      ].join(',');
      const message = `${f.service ? `[${f.service}] ` : ''}${f.message}${f.hint ? `\n${f.hint}` : ''}`;
      out += `::${commands[f.severity]} ${props}::${escapeData(message)}\n`;
    }
    // No findings prints nothing at all: an empty log is the right answer there.
    return out;
  },
  end(totals) {
    if (!tooManyWarnings(totals.warnings, maxWarnings)) return '';
    // Without a file: shown on the run, so the reason the job failed is on the page.
    const message = `too many warnings: ${totals.warnings}, more than ${maxWarnings}`;
    return `::error title=max-warnings::${escapeData(message)}\n`;
  },
});
