/** Field names whose values are secrets wherever they appear in a log record (up to 3 levels deep). */
const SECRET_KEYS = new Set([
  'token',
  'password',
  'secret',
  'authorization',
  'apiKey',
  'api_key',
  'privateKey',
  'identity',
  'url_with_credentials',
  'cookie',
]);

/** How deep a secret key is looked for: `token`, `a.token`, `a.b.token` (pino's `*.*.token`). */
const MAX_DEPTH = 3;
export const REDACTED = '[redacted]';

/**
 * The record with every secret-named field's value replaced, copying only the objects on the
 * way to a replaced field: a record without secrets (nearly all of them) is returned as is, so
 * a log line costs no garbage here. pino's own `redact` option parsed and copied per line,
 * which made a burst of log lines (5,000 checks changing state at start) cost ~35 KB each.
 */
export function redactSecrets<T>(record: T): T {
  return redactLevel(record, 1) as T;
}

function redactLevel(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object' || value instanceof Error) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    for (let i = 0; i < value.length; i++) {
      const next = depth < MAX_DEPTH ? redactLevel(value[i], depth + 1) : value[i];
      if (next !== value[i]) {
        copy ??= value.slice();
        copy[i] = next;
      }
    }
    return copy ?? value;
  }
  const source = value as Record<string, unknown>;
  let copy: Record<string, unknown> | null = null;
  for (const key in source) {
    if (!Object.hasOwn(source, key)) continue;
    const current = source[key];
    let next: unknown;
    if (SECRET_KEYS.has(key) && current !== undefined) next = REDACTED;
    else next = depth < MAX_DEPTH ? redactLevel(current, depth + 1) : current;
    if (next !== current) {
      copy ??= { ...source };
      copy[key] = next;
    }
  }
  return copy ?? value;
}
