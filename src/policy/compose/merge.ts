import { type CEntry, type CMap, type CNode, type CScalar, keyValues, text } from './nodes.js';

/**
 * How compose merges an override (a later `-f` file, document or an `extends` child) onto a
 * base: mappings merge key by key, most sequences append (without repeating an item),
 * key=value lists (`environment`, `labels`…) merge by key, and a few keys are replaced whole.
 */
const replacedWhole = new Set(['command', 'entrypoint', 'test', 'env_file', 'dns', 'dns_search', 'tmpfs']);
const mappingLike = new Set(['environment', 'labels', 'sysctls', 'extra_hosts', 'annotations', 'args']);

export function mergeNodes(base: CNode, over: CNode, key = ''): CNode {
  if (mappingLike.has(key) && (base.kind === 'seq' || over.kind === 'seq')) {
    return mergeMaps(asMap(base), asMap(over));
  }
  if (base.kind === 'map' && over.kind === 'map') return mergeMaps(base, over);
  if (base.kind === 'seq' && over.kind === 'seq' && !replacedWhole.has(key)) {
    const seen = new Set(base.items.map(identity));
    const items = base.items.slice();
    for (const item of over.items) {
      const id = identity(item);
      if (id !== undefined && seen.has(id)) continue;
      items.push(item);
    }
    return { kind: 'seq', loc: over.loc, items };
  }
  return over;
}

export function mergeMaps(base: CMap, over: CMap): CMap {
  const entries: CEntry[] = base.entries.slice();
  // Last occurrence wins, as `entry()` reads a mapping with a repeated key; a Map keeps it linear.
  const index = new Map<string, number>();
  entries.forEach((e, i) => {
    index.set(e.key, i);
  });
  for (const e of over.entries) {
    const at = index.get(e.key);
    const existing = at === undefined ? undefined : entries[at];
    if (existing && at !== undefined) {
      entries[at] = { key: e.key, keyLoc: e.keyLoc, value: mergeNodes(existing.value, e.value, e.key) };
    } else {
      index.set(e.key, entries.length);
      entries.push(e);
    }
  }
  return { kind: 'map', loc: base.loc, entries };
}

function identity(node: CNode): string | undefined {
  if (node.kind === 'scalar') return text(node);
  return undefined;
}

function asMap(node: CNode): CMap {
  if (node.kind === 'map') return node;
  const entries: CEntry[] = keyValues(node).map((kv) => ({
    key: kv.key,
    keyLoc: kv.node.loc,
    value: kv.value ?? ({ kind: 'scalar', loc: kv.node.loc, value: null, quoted: false } satisfies CScalar),
  }));
  return { kind: 'map', loc: node.loc, entries };
}
