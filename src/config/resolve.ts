import path from 'node:path';
import type { ParsedConfig } from './schema.js';

type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * The resolved configuration every capability is built from: defaults applied,
 * durations in milliseconds, sizes in bytes, paths absolute, frozen.
 */
export type ResolvedConfig = DeepReadonly<ParsedConfig> & {
  readonly source: { readonly file: string; readonly dir: string };
  /** Key paths whose values came from ${…} references: never print them. */
  readonly secretPaths: readonly string[];
};

export function resolveConfig(
  parsed: ParsedConfig,
  meta: { file: string; secretPaths: string[] },
): ResolvedConfig {
  const resolved = {
    ...parsed,
    source: { file: meta.file, dir: path.dirname(meta.file) },
    secretPaths: [...meta.secretPaths],
  };
  return deepFreeze(resolved) as ResolvedConfig;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** A copy safe to print: every secret path replaced by "[secret]". */
export function redactConfig(config: ResolvedConfig): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  for (const secretPath of config.secretPaths) {
    const segments = secretPath.match(/[^.[\]]+/g) ?? [];
    let node: Record<string, unknown> | undefined = copy;
    for (let i = 0; i < segments.length - 1 && node; i++) {
      node = node[segments[i] as string] as Record<string, unknown> | undefined;
    }
    const last = segments[segments.length - 1];
    if (node && last !== undefined && last in node) node[last] = '[secret]';
  }
  return copy;
}
