import type { ZodType, z } from 'zod';
import { type ConfigIssue, didYouMean, formatPath } from './issues.js';
import { enumValues, metaOf, objectKeys, recordKeyMeta, schemaAt } from './schema-nav.js';
import { locate, type YamlSource } from './yaml-source.js';

/** Turns zod's issues into located, hinted config issues; never includes a value. */
export function toConfigIssues(
  src: YamlSource,
  schema: ZodType,
  raw: unknown,
  issues: z.core.$ZodIssue[],
  secretPaths: readonly string[] = [],
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of expandUnions(issues)) {
    const at = issue.path;
    const field = schemaAt(schema, at);
    const base = { file: src.file, path: formatPath(at) };

    if (issue.code === 'unrecognized_keys') {
      const known = objectKeys(schemaAt(schema, at));
      for (const key of issue.keys) {
        const pos = locate(src, [...at, key], 'key');
        const suggestion = didYouMean(key, known);
        out.push({
          ...base,
          path: formatPath([...at, key]),
          ...pos,
          message: 'unknown key',
          hint: suggestion
            ? `did you mean "${suggestion}"?`
            : known.length
              ? `known keys here: ${known.join(', ')}`
              : 'remove it',
        });
      }
      continue;
    }

    if (issue.code === 'invalid_key') {
      const pos = locate(src, at, 'key');
      const parent = schemaAt(schema, at.slice(0, -1));
      out.push({
        ...base,
        ...pos,
        message: `"${String(at[at.length - 1])}" is not a valid name`,
        ...optionalHint(recordKeyMeta(parent).hint),
      });
      continue;
    }

    const pos = locate(src, at);
    const meta = metaOf(field);
    const customHint = (issue as { params?: { hint?: string } }).params?.hint;
    let message = issue.message;
    let hint = customHint ?? meta.hint;

    if (issue.code === 'invalid_type') {
      const actual = valueAt(raw, at);
      message =
        actual === undefined
          ? 'is required'
          : `expected ${describeExpected(issue.expected)}, got ${typeName(actual)}`;
      if (issue.expected === 'boolean' && typeof actual === 'string') {
        hint = 'write true or false (in YAML 1.2, yes/no/on/off are strings)';
      }
    } else if (issue.code === 'invalid_value' && valueAt(raw, at) === undefined) {
      message = 'is required';
    } else if (issue.code === 'invalid_value') {
      const allowed = issue.values.map((v) => JSON.stringify(v)).join(', ');
      message = issue.values.length === 1 ? `expected ${allowed}` : `expected one of ${allowed}`;
      const actual = valueAt(raw, at);
      const options = enumValues(field) ?? [];
      const suggestion = typeof actual === 'string' ? didYouMean(actual, options) : undefined;
      hint = suggestion ? `did you mean "${suggestion}"?` : (hint ?? `allowed: ${allowed}`);
    } else if (issue.code === 'too_small' || issue.code === 'too_big') {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const word = issue.code === 'too_small' ? 'at least' : 'at most';
      message =
        issue.origin === 'string'
          ? `expected ${word} ${bound} characters`
          : issue.origin === 'array'
            ? `expected ${word} ${bound} items`
            : `expected ${word} ${bound}`;
    } else if (issue.code === 'invalid_union') {
      message = 'does not match any allowed form';
    }
    if (secretPaths.includes(base.path)) {
      // The value came from ${…}; say what is wrong without echoing any of it.
      message = `the value from a \${…} reference is invalid (${issue.code}); it is not shown`;
    }
    out.push({ ...base, ...pos, message, ...optionalHint(hint) });
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}

/**
 * "Matches no allowed form" helps nobody: report the problems of the form the input came
 * closest to (the branch with the fewest problems, each unknown key counted), at their own paths.
 */
function expandUnions(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.flatMap((issue) => {
    if (issue.code !== 'invalid_union' || !('errors' in issue) || issue.errors.length === 0) return [issue];
    // Every unknown key counts: a form whose keys the input does not use at all is far off.
    const distance = (branch: readonly z.core.$ZodIssue[]) =>
      branch.reduce((n, i) => n + (i.code === 'unrecognized_keys' ? i.keys.length : 1), 0);
    const closest = issue.errors.reduce((best, branch) =>
      distance(branch) < distance(best) ? branch : best,
    );
    if (closest.length === 0) return [issue];
    return expandUnions(closest.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] })));
  });
}

function optionalHint(hint: string | undefined): { hint?: string } {
  return hint ? { hint } : {};
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let node = raw;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment as string];
  }
  return node;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return typeof value;
}

function describeExpected(expected: string): string {
  switch (expected) {
    case 'object':
    case 'record':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'string':
      return 'a string';
    case 'number':
    case 'int':
      return 'a number';
    case 'boolean':
      return 'true or false';
    default:
      return expected;
  }
}
