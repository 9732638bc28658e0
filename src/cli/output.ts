/**
 * The CLI's printer: the only place that writes to stdout/stderr. Human text goes to
 * stdout, diagnostics to stderr; with --json, stdout carries exactly one JSON document.
 * Colour only on a TTY and never when NO_COLOR is set (https://no-color.org).
 */
export interface Printer {
  json(value: unknown): void;
  line(text?: string): void;
  error(text: string): void;
  table(rows: Record<string, unknown>[], columns: string[]): void;
  readonly color: Colors;
}

export interface Colors {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
}

function makeColors(enabled: boolean): Colors {
  const wrap = (open: number, close: number) => (s: string) =>
    enabled ? `\u001b[${open}m${s}\u001b[${close}m` : s;
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
  };
}

export function colorEnabled(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true && env.TERM !== 'dumb';
}

export function createPrinter(
  out: NodeJS.WriteStream = process.stdout,
  err: NodeJS.WriteStream = process.stderr,
): Printer {
  const colors = makeColors(colorEnabled(out));
  return {
    color: colors,
    json: (value) => out.write(`${JSON.stringify(value, null, 2)}\n`),
    line: (text = '') => out.write(`${text}\n`),
    error: (text) => err.write(`${text}\n`),
    table(rows, columns) {
      if (rows.length === 0) return;
      const cells = rows.map((row) => columns.map((c) => formatCell(row[c])));
      const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => (r[i] ?? '').length)));
      out.write(
        `${colors.bold(
          columns
            .map((c, i) => c.toUpperCase().padEnd(widths[i] ?? 0))
            .join('  ')
            .trimEnd(),
        )}\n`,
      );
      for (const r of cells)
        out.write(
          `${r
            .map((cell, i) => cell.padEnd(widths[i] ?? 0))
            .join('  ')
            .trimEnd()}\n`,
        );
    },
  };
}

function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

/** Local time for people; storage and JSON stay UTC. */
export function localTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
