import type { CEntry, CMap, CNode, Loc } from '../compose/nodes.js';
import type { RawMap, RawNode } from './raw.js';

/** Alias expansion stops here: a compose file never needs more, an alias bomb always does. */
export const MAX_RESOLVED_NODES = 200_000;

export class AliasBudgetError extends Error {}

/** A key twice in one mapping: YAML forbids it and docker compose refuses the file. */
export class DuplicateKeyError extends Error {
  constructor(
    readonly key: string,
    readonly offset: number,
  ) {
    super(`key "${key}" appears twice in one mapping (docker compose refuses the file)`);
  }
}

/** `*name` without an earlier `&name`: docker compose refuses the file, so does Steward. */
export class UnknownAliasError extends Error {
  constructor(
    readonly alias: string,
    readonly offset: number,
  ) {
    super(`alias *${alias} refers to no anchor &${alias} defined before it`);
  }
}

/**
 * Expands aliases and merge keys (`<<: *a`, `<<: [*a, *b]`) into the located compose tree.
 * Everything reached through an alias is located at the alias use (and names the anchor);
 * explicit keys win over merged ones, earlier merge sources over later ones, as YAML's merge
 * key type defines. `interpolate` substitutes `${VAR}` in string scalars (keeping the text as
 * written in `raw`), here rather than in a second walk over the tree.
 */
export function resolveDocument(root: RawNode, file: number, interpolate?: (text: string) => string): CNode {
  const anchors = new Map<string, RawNode>();
  let budget = MAX_RESOLVED_NODES;
  const spend = () => {
    budget -= 1;
    if (budget < 0) {
      throw new AliasBudgetError(
        `alias expansion exceeds ${MAX_RESOLVED_NODES} nodes (an alias bomb, or anchors nested far too deep)`,
      );
    }
  };

  const visit = (node: RawNode, via: Loc | undefined, depth: number): CNode => {
    spend();
    if (depth > 500) throw new AliasBudgetError('nesting deeper than 500 levels');
    if (node.kind === 'alias') {
      const target = anchors.get(node.name);
      if (!target) throw new UnknownAliasError(node.name, node.start);
      const loc: Loc = via ?? { file, start: node.start, end: node.end, via: node.name };
      return visit(target, loc, depth + 1);
    }
    // Registered before the children: YAML forbids an anchor referring to itself, and this
    // way such a (malformed) cycle is cut by the budget instead of looping.
    if (node.anchor && !via) anchors.set(node.anchor, node);
    const loc: Loc = via ?? { file, start: node.start, end: node.end };
    if (node.kind === 'scalar') {
      const quoted = node.style === 'single' || node.style === 'double';
      const value = node.value;
      if (interpolate && typeof value === 'string' && value.includes('$')) {
        const substituted = interpolate(value);
        if (substituted !== value) return { kind: 'scalar', loc, value: substituted, raw: value, quoted };
      }
      return { kind: 'scalar', loc, value, quoted };
    }
    if (node.kind === 'seq')
      return { kind: 'seq', loc, items: node.items.map((item) => visit(item, via, depth + 1)) };
    return visitMap(node, loc, via, depth);
  };

  const visitMap = (node: RawMap, loc: Loc, via: Loc | undefined, depth: number): CMap => {
    const entries: CEntry[] = [];
    let merged: CEntry[] | undefined;
    for (const { key, value } of node.entries) {
      const keyNode = visit(key, via, depth + 1);
      const keyText = keyNode.kind === 'scalar' ? (keyNode.value === null ? '' : String(keyNode.value)) : '';
      if (keyText === '<<' && key.kind === 'scalar' && key.style === 'plain') {
        merged ??= [];
        const sources = value.kind === 'seq' ? value.items : [value];
        for (const source of sources) {
          const resolved = visit(source, via, depth + 1);
          if (resolved.kind === 'map') for (const e of resolved.entries) merged.push(e);
        }
        continue;
      }
      entries.push({ key: keyText, keyLoc: keyNode.loc, value: visit(value, via, depth + 1) });
    }
    if (!via) assertUniqueKeys(entries);
    if (!merged) return { kind: 'map', loc, entries };
    // Explicit keys win over merged ones, earlier merge sources over later ones. Sets, not
    // scans: a hostile merge of many keys must stay linear.
    const taken = new Set(entries.map((e) => e.key));
    for (const e of merged) {
      if (taken.has(e.key)) continue;
      taken.add(e.key);
      entries.push(e);
    }
    return { kind: 'map', loc, entries };
  };

  return visit(root, undefined, 0);
}

function assertUniqueKeys(entries: CEntry[]): void {
  // Small mappings (nearly all of them) compare pairwise; a Set only where that would not be linear.
  if (entries.length <= 12) {
    for (let i = 1; i < entries.length; i++) {
      const e = entries[i] as CEntry;
      for (let j = 0; j < i; j++) {
        if ((entries[j] as CEntry).key === e.key) throw new DuplicateKeyError(e.key, e.keyLoc.start);
      }
    }
    return;
  }
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.key)) throw new DuplicateKeyError(e.key, e.keyLoc.start);
    seen.add(e.key);
  }
}
