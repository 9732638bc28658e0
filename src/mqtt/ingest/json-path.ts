// The small JSONPath subset rules use to pick values: `$`, `$.a.b`, `$.arr[0]`, `$["odd key"]`.
// No filters or wildcards: one path names one value.

export type PathSegment = string | number;

export interface JsonPath {
  readonly source: string;
  readonly segments: readonly PathSegment[];
}

const MAX_SEGMENTS = 32;
const MAX_INDEX_DIGITS = 9;

/** Returns the path, or a problem description (the caller words the config error). */
export function parseJsonPath(source: string): JsonPath | string {
  if (typeof source !== 'string' || source[0] !== '$') return 'must start with "$"';
  const segments: PathSegment[] = [];
  let i = 1;
  while (i < source.length) {
    if (segments.length >= MAX_SEGMENTS) return `more than ${MAX_SEGMENTS} steps`;
    const c = source[i];
    if (c === '.') {
      let end = i + 1;
      while (end < source.length && source[end] !== '.' && source[end] !== '[') end++;
      const key = source.slice(i + 1, end);
      if (key === '') return `empty key at offset ${i}`;
      segments.push(key);
      i = end;
    } else if (c === '[') {
      const step = parseBracket(source, i);
      if (typeof step === 'string') return step;
      segments.push(step.segment);
      i = step.end;
    } else {
      return `unexpected ${JSON.stringify(c)} at offset ${i} (use .key, [index] or ["key"])`;
    }
  }
  return { source, segments };
}

function parseBracket(source: string, open: number): { segment: PathSegment; end: number } | string {
  const quote = source[open + 1];
  if (quote === '"' || quote === "'") {
    // Find the closing quote, skipping backslash escapes; a double-quoted key is a JSON string.
    let j = open + 2;
    while (j < source.length && source[j] !== quote) j += source[j] === '\\' ? 2 : 1;
    if (source[j] !== quote || source[j + 1] !== ']') return `unclosed [${quote}…${quote}] at offset ${open}`;
    const raw = source.slice(open + 2, j);
    let key: string;
    if (quote === "'") {
      if (raw.includes('\\')) return 'escapes are only allowed in ["double-quoted"] keys';
      key = raw;
    } else {
      try {
        key = JSON.parse(`"${raw}"`) as string;
      } catch {
        return `invalid escape in key at offset ${open}`;
      }
    }
    return { segment: key, end: j + 2 };
  }
  const close = source.indexOf(']', open);
  if (close === -1) return `unclosed "[" at offset ${open}`;
  const digits = source.slice(open + 1, close);
  if (!/^[0-9]+$/.test(digits) || digits.length > MAX_INDEX_DIGITS) {
    return `[${digits}] is not an array index (a non-negative integer)`;
  }
  return { segment: Number(digits), end: close + 1 };
}

/**
 * The value at `path`, or undefined when any step is missing or of the wrong kind. Only own
 * properties count, so `$.constructor` or `$.__proto__` never reach the prototype.
 */
export function evaluateJsonPath(root: unknown, path: JsonPath): unknown {
  let node = root;
  for (const step of path.segments) {
    if (typeof step === 'number') {
      if (!Array.isArray(node) || step >= node.length) return undefined;
      node = node[step];
    } else {
      if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
      if (!Object.hasOwn(node, step)) return undefined;
      node = (node as Record<string, unknown>)[step];
    }
  }
  return node;
}
