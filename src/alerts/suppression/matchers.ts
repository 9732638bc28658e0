import { z } from 'zod';
import { StewardError } from '../../core/errors.js';

/**
 * Label matchers with Prometheus Alertmanager semantics, shared by silences, maintenance
 * windows and inhibition rules. Two written forms exist: the text form of the CLI and API
 * (`service=~"core|db"`) and the object form of the config (`service: "~core|db"`).
 */

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
}

export type Labels = Readonly<Record<string, string>>;

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LABEL_HINT = 'label names use letters, digits and "_", and do not start with a digit';
const TEXT_HINT =
  'write name=value, name!=value, name=~regex or name!~regex; quote values with spaces or commas: service=~"core|db"';
const REGEX_HINT = 'regular expressions match the whole value (anchored), e.g. "core|db" or "disk-.*"';

/** A label name as a config record key; its hint reaches the user through zod-issues. */
export const labelName = z
  .string()
  .regex(LABEL_NAME, { message: 'expected a label name' })
  .meta({ hint: LABEL_HINT });

// Compiled regexes by source: matching runs for every alert on every evaluation.
const regexCache = new Map<string, RegExp>();
const REGEX_CACHE_MAX = 1000;

/** The reason a pattern is not a usable regex, or undefined when it is. */
function regexProblem(pattern: string): string | undefined {
  try {
    // Compiled alone first: `a)|(b` would otherwise compile once wrapped and escape the anchors.
    new RegExp(pattern);
    new RegExp(`^(?:${pattern})$`);
    return undefined;
  } catch (err) {
    return (err as Error).message.replace(/^Invalid regular expression: /, '');
  }
}

function anchored(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (re === undefined) {
    if (regexCache.size >= REGEX_CACHE_MAX) regexCache.clear();
    re = new RegExp(`^(?:${pattern})$`);
    regexCache.set(pattern, re);
  }
  return re;
}

function usage(text: string, problem: string, hint = TEXT_HINT): StewardError {
  return new StewardError('E_USAGE', `invalid matcher ${JSON.stringify(text)}: ${problem}`, { hint });
}

/** Reads a double-quoted value starting at `start`; unknown escapes keep their backslash (`\.` in a regex). */
function readQuoted(text: string, start: number): { value: string; end: number } | undefined {
  let value = '';
  for (let i = start + 1; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') return { value, end: i + 1 };
    if (ch === '\\' && i + 1 < text.length) {
      const next = text[++i];
      value += next === 'n' ? '\n' : next === '"' || next === '\\' ? next : `\\${next}`;
    } else {
      value += ch;
    }
  }
  return undefined;
}

/** Parses one matcher in text form: `k=v`, `k!=v`, `k=~re`, `k!~re`; the value may be double-quoted. */
export function parseMatcher(text: string): Matcher {
  const head = /^\s*([^=!~\s]*)\s*/.exec(text);
  const name = head?.[1] ?? '';
  if (text.trim() === '') throw usage(text, 'empty matcher');
  if (name === '') throw usage(text, 'missing label name');
  if (!LABEL_NAME.test(name)) throw usage(text, `"${name}" is not a valid label name`, LABEL_HINT);

  const afterName = head?.[0].length ?? 0;
  const opMatch = /^(=~|!~|!=|=)\s*/.exec(text.slice(afterName));
  const op = opMatch?.[1] as MatchOp | undefined;
  if (opMatch === null || op === undefined)
    throw usage(text, 'expected an operator (=, !=, =~ or !~) after the label name');

  const start = afterName + opMatch[0].length;
  let value: string;
  if (text[start] === '"') {
    const quoted = readQuoted(text, start);
    if (quoted === undefined) throw usage(text, 'missing closing quote');
    if (text.slice(quoted.end).trim() !== '') throw usage(text, 'unexpected text after the closing quote');
    value = quoted.value;
  } else {
    value = text.slice(start).trimEnd();
    if (value.includes('"'))
      throw usage(text, 'a quote inside an unquoted value', 'quote the whole value: name="a \\"b\\""');
    // `k==v` would otherwise silently look for the value "=v".
    if ((op === '=' || op === '!=') && value.startsWith('=')) {
      throw usage(text, `unexpected "=" after "${op}"`, 'use one "=", or quote a value that starts with "="');
    }
  }

  if (op === '=~' || op === '!~') {
    const problem = regexProblem(value);
    if (problem !== undefined) throw usage(text, `invalid regular expression (${problem})`, REGEX_HINT);
  }
  return { name, op, value };
}

/** Parses a comma-separated list, optionally in braces: `{severity="critical", service=~"core|db"}`. */
export function parseMatchers(text: string): Matcher[] {
  let body = text.trim();
  if (body.startsWith('{') && body.endsWith('}')) body = body.slice(1, -1);
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] ?? '';
    if (quoted && ch === '\\') {
      current += ch + (body[++i] ?? '');
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  // A trailing comma is allowed, as in Alertmanager's own matcher lists.
  if (current.trim() !== '' || parts.length === 0) parts.push(current);
  if (parts.length === 1 && parts[0]?.trim() === '') return [];
  return parts.map(parseMatcher);
}

function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** `severity="critical", service=~"core|db"` — the text form, which parseMatchers reads back. */
export function formatMatchers(matchers: readonly Matcher[]): string {
  return matchers.map((m) => `${m.name}${m.op}${quote(m.value)}`).join(', ');
}

/**
 * Whether every matcher holds for the labels. A missing label counts as "" (Alertmanager),
 * so `k!="x"` matches when k is absent and `k=""` matches only when it is absent or empty.
 */
export function matches(matchers: readonly Matcher[], labels: Labels): boolean {
  return matchers.every((m) => holds(m, labels[m.name] ?? ''));
}

function holds(m: Matcher, actual: string): boolean {
  switch (m.op) {
    case '=':
      return actual === m.value;
    case '!=':
      return actual !== m.value;
    case '=~':
      return anchored(m.value).test(actual);
    case '!~':
      return !anchored(m.value).test(actual);
  }
}

/**
 * Object form, one matcher per label. The value's first characters choose the operator, so
 * plain values stay plain YAML:
 *   `critical` → `=`, `!critical` → `!=`, `~core|db` → `=~`, `!~core|db` → `!~`,
 *   `=…` → `=` with the rest taken literally (for a value that itself starts with `!`, `~` or `=`).
 */
export function matcherFromEntry(name: string, written: string): Matcher {
  if (written.startsWith('!~')) return { name, op: '!~', value: written.slice(2) };
  if (written.startsWith('~')) return { name, op: '=~', value: written.slice(1) };
  if (written.startsWith('!')) return { name, op: '!=', value: written.slice(1) };
  if (written.startsWith('=')) return { name, op: '=', value: written.slice(1) };
  return { name, op: '=', value: written };
}

/** The object form as matchers; throws E_USAGE on a bad label name or regex. */
export function matchersFromObject(obj: Readonly<Record<string, string>>): Matcher[] {
  return Object.entries(obj).map(([name, written]) => {
    const text = `${name}: ${JSON.stringify(written)}`;
    if (!LABEL_NAME.test(name)) throw usage(text, `"${name}" is not a valid label name`, LABEL_HINT);
    const matcher = matcherFromEntry(name, written);
    const problem = matcher.op.endsWith('~') ? regexProblem(matcher.value) : undefined;
    if (problem !== undefined) throw usage(text, `invalid regular expression (${problem})`, REGEX_HINT);
    return matcher;
  });
}

/** `match:` in config — the object form, checked at load so a bad regex points at its key. */
export const matchersSchema = z
  // YAML reads `code: 500` as a number; labels are strings, so scalars are taken as written.
  .record(labelName, z.union([z.string(), z.number(), z.boolean()]))
  .superRefine((obj, issue) => {
    for (const [name, written] of Object.entries(obj)) {
      const matcher = matcherFromEntry(name, String(written));
      if (!matcher.op.endsWith('~')) continue;
      const problem = regexProblem(matcher.value);
      if (problem !== undefined) {
        issue.addIssue({
          code: 'custom',
          path: [name],
          message: `invalid regular expression (${problem})`,
          params: { hint: REGEX_HINT },
        });
      }
    }
  })
  .transform((obj) => Object.entries(obj).map(([name, written]) => matcherFromEntry(name, String(written))))
  .meta({
    description:
      'Label matchers, all of which must hold: `label: value` (equal), "!value" (not equal), ' +
      '"~regex" (matches), "!~regex" (does not match), "=value" (literal, for a value starting with !, ~ or =). ' +
      'Regexes match the whole value; a missing label counts as "".',
  });
