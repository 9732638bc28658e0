import { countBySeverity } from '../findings.js';
import type { Reporter } from './types.js';
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
export const github: Reporter = ({ result, maxWarnings }) => {
  const lines = result.findings.map((f) => {
    const props = [
      `file=${escapeProperty(portablePath(f.file))}`,
      `line=${f.line}`,
      `col=${f.column}`,
      `endLine=${f.endLine}`,
      `endColumn=${f.endColumn}`,
      `title=${escapeProperty(f.ruleId)}`,
    ].join(',');
    const message = `${f.service ? `[${f.service}] ` : ''}${f.message}${f.hint ? `\n${f.hint}` : ''}`;
    return `::${commands[f.severity]} ${props}::${escapeData(message)}`;
  });
  const warnings = countBySeverity(result.findings).warning;
  if (tooManyWarnings(warnings, maxWarnings)) {
    // Without a file: shown on the run, so the reason the job failed is on the page.
    lines.push(
      `::error title=max-warnings::${escapeData(`too many warnings: ${warnings}, more than ${maxWarnings}`)}`,
    );
  }
  // No findings prints nothing at all: an empty log is the right answer there.
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
};
