import { StewardError } from '../../core/errors.js';

/*
 * Unit-file values, per systemd.syntax(7) and systemd.service(5):
 * - `%` starts a specifier everywhere, so a literal one is `%%`.
 * - A line ending in `\` continues on the next line; a newline would end the setting and start a
 *   new one (an injected `ExecStartPre=` …). Both are refused rather than escaped.
 * - ExecStart words are split on whitespace, honour "…" quoting with C escapes (`\\`, `\"`), and
 *   expand `$VAR`/`${VAR}` from the unit's environment at exec time, where `$$` is a literal `$`.
 */

// C0 controls except tab, and DEL: a unit file is line-based text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL_RE = /[\0-\x08\n-\x1f\x7f]/;

export function unitValueError(field: string, value: string, why: string): StewardError {
  return new StewardError('E_USAGE', `invalid ${field} for a systemd unit: ${JSON.stringify(value)} ${why}`, {
    hint: 'unit file values are single lines without control characters',
  });
}

/** Refuse what cannot be written as one unit-file value. */
export function assertLineSafe(field: string, value: string): void {
  if (CONTROL_RE.test(value)) throw unitValueError(field, value, 'contains a newline or control character');
  if (value.endsWith('\\')) throw unitValueError(field, value, 'ends with a backslash (a line continuation)');
}

/** A plain value (Description=, WorkingDirectory= …): only specifiers need escaping. */
export function escapeSpecifiers(value: string): string {
  return value.replaceAll('%', '%%');
}

/** A path for a setting that takes one absolute path as its whole value. */
export function escapePathValue(field: string, value: string): string {
  assertLineSafe(field, value);
  if (!value.startsWith('/')) throw unitValueError(field, value, 'is not an absolute path');
  if (value.trim() !== value) throw unitValueError(field, value, 'has leading or trailing whitespace');
  return escapeSpecifiers(value);
}

/** Characters that never need quoting in an ExecStart word or a path list. */
const PLAIN_WORD_RE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One ExecStart argument, quoted so systemd hands it to the program byte for byte. */
export function quoteExecArg(arg: string): string {
  const escaped = escapeSpecifiers(arg);
  if (PLAIN_WORD_RE.test(arg)) return escaped;
  return `"${escaped.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('$', '$$$$')}"`;
}

/**
 * One entry of a space-separated path list (ReadWritePaths=). Those settings unquote "…" but do
 * not C-unescape, so a backslash just protects the next character.
 */
export function quoteListPath(field: string, value: string): string {
  assertLineSafe(field, value);
  if (!value.startsWith('/')) throw unitValueError(field, value, 'is not an absolute path');
  const escaped = escapeSpecifiers(value);
  if (PLAIN_WORD_RE.test(value)) return escaped;
  return `"${escaped.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}
