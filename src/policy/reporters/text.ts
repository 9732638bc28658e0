import type { Colors } from '../../cli/output.js';
import { countBySeverity, type Finding } from '../findings.js';
import type { Severity } from '../rules/types.js';
import type { Reporter, ReportInput } from './types.js';
import { groupByFile, plural, tooManyWarnings } from './util.js';

function paint(colors: Colors, severity: Severity, s: string): string {
  return severity === 'error' ? colors.red(s) : severity === 'warning' ? colors.yellow(s) : colors.dim(s);
}

/** One file's table, ESLint-stylish: columns padded on the plain text, colour added after. */
function fileBlock(file: string, findings: readonly Finding[], colors: Colors): string[] {
  const rows = findings.map((f) => ({
    f,
    pos: `${f.line}:${f.column}`,
    message: f.service ? `[${f.service}] ${f.message}` : f.message,
  }));
  const posWidth = Math.max(...rows.map((r) => r.pos.length));
  const sevWidth = Math.max(...rows.map((r) => r.f.severity.length));
  const msgWidth = Math.max(...rows.map((r) => r.message.length));
  // The hint sits under the message column.
  const hintIndent = ' '.repeat(2 + posWidth + 2 + sevWidth + 2);
  const lines = [colors.bold(file)];
  for (const { f, pos, message } of rows) {
    lines.push(
      `  ${colors.dim(pos.padEnd(posWidth))}  ${paint(colors, f.severity, f.severity.padEnd(sevWidth))}  ` +
        `${message.padEnd(msgWidth)}  ${colors.dim(f.ruleId)}`,
    );
    if (f.hint) lines.push(colors.dim(`${hintIndent}${f.hint}`));
  }
  return lines;
}

function summary(input: ReportInput): string[] {
  const { result, colors, maxWarnings } = input;
  const counts = countBySeverity(result.findings);
  const total = result.findings.length;
  const files = plural(result.files.length, 'file');
  const suppressed = result.suppressed.length;
  const lines: string[] = [];
  if (total === 0) {
    lines.push(colors.green(`✔ no problems in ${files}${suppressed ? ` (${suppressed} suppressed)` : ''}`));
  } else {
    const parts = `${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${counts.info} info`;
    const text = `✖ ${plural(total, 'problem')} (${parts}) in ${files}${suppressed ? `, ${suppressed} suppressed` : ''}`;
    lines.push(colors.bold(counts.error ? colors.red(text) : counts.warning ? colors.yellow(text) : text));
  }
  if (tooManyWarnings(counts.warning, maxWarnings)) {
    lines.push(colors.red(`✖ too many warnings: ${counts.warning}, more than the maximum of ${maxWarnings}`));
  }
  return lines;
}

/** For people at a terminal: findings grouped by file, a hint under each, one summary line. */
export const text: Reporter = (input) => {
  const blocks: string[] = [];
  for (const [file, findings] of groupByFile(input.result.files, input.result.findings)) {
    if (findings.length > 0) blocks.push(`${fileBlock(file, findings, input.colors).join('\n')}\n\n`);
  }
  return `${blocks.join('')}${summary(input).join('\n')}\n`;
};
