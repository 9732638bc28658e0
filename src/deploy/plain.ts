import type { CNode } from '../policy/index.js';

/** A resolved compose node as plain JSON (locations dropped): what a service definition hashes and diffs as. */
export function toPlain(node: CNode): unknown {
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'seq') return node.items.map(toPlain);
  const out: Record<string, unknown> = {};
  for (const e of node.entries) out[e.key] = toPlain(e.value);
  return out;
}

/** Flattens JSON to `a.b[0].c = value` lines, for a readable per-key diff. */
export function flatten(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(prefix, '[]');
    for (const [i, v] of value.entries()) flatten(v, `${prefix}[${i}]`, out);
  } else if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) out.set(prefix, '{}');
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, JSON.stringify(value));
  }
  return out;
}

/** `+ key = v`, `- key = v`, `~ key: old → new`, sorted by key. */
export function diffLines(before: unknown, after: unknown): string[] {
  const a = flatten(before);
  const b = flatten(after);
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  const lines: string[] = [];
  for (const key of keys) {
    const was = a.get(key);
    const now = b.get(key);
    if (was === now) continue;
    if (was === undefined) lines.push(`+ ${key} = ${now}`);
    else if (now === undefined) lines.push(`- ${key} = ${was}`);
    else lines.push(`~ ${key}: ${was} → ${now}`);
  }
  return lines;
}
