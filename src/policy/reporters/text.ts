import type { Colors } from '../../cli/output.js';
import type { Finding } from '../findings.js';
import type { Severity } from '../rules/types.js';
import type { ReportContext, StreamReporter, Totals } from './types.js';
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

function summary(totals: Totals, { colors, maxWarnings }: ReportContext): string[] {
  const total = totals.errors + totals.warnings + totals.info;
  const files = plural(totals.files, 'file');
  const suppressed = totals.suppressed;
  const lines: string[] = [];
  if (total === 0) {
    lines.push(colors.green(`✔ no problems in ${files}${suppressed ? ` (${suppressed} suppressed)` : ''}`));
  } else {
    const parts = `${plural(totals.errors, 'error')}, ${plural(totals.warnings, 'warning')}, ${totals.info} info`;
    const text = `✖ ${plural(total, 'problem')} (${parts}) in ${files}${suppressed ? `, ${suppressed} suppressed` : ''}`;
    lines.push(colors.bold(totals.errors ? colors.red(text) : totals.warnings ? colors.yellow(text) : text));
  }
  if (tooManyWarnings(totals.warnings, maxWarnings)) {
    lines.push(
      colors.red(`✖ too many warnings: ${totals.warnings}, more than the maximum of ${maxWarnings}`),
    );
  }
  return lines;
}

/** For people at a terminal: findings grouped by file, a hint under each, one summary line. */
export const text: StreamReporter = (ctx) => ({
  begin: () => '',
  project(result) {
    let out = '';
    for (const [file, findings] of groupByFile(result.files, result.findings)) {
      if (findings.length > 0) out += `${fileBlock(file, findings, ctx.colors).join('\n')}\n\n`;
    }
    return out;
  },
  end: (totals) => `${summary(totals, ctx).join('\n')}\n`,
});
