import type { RawDocument, RawMap, RawNode } from '../yaml/raw.js';
import { blockColumn } from './text.js';

/** Anchors of one document, to follow aliases and merge keys the way the loader does. */
export class DocIndex {
  private readonly anchors: { name: string; start: number; node: RawNode }[] = [];
  /** Anchor names some alias refers to: editing such a node would change its other uses too. */
  readonly referenced = new Set<string>();

  constructor(readonly root: RawNode) {
    this.walk(root, 0);
  }

  private walk(node: RawNode, depth: number): void {
    if (depth > 500) return;
    if (node.kind === 'alias') {
      this.referenced.add(node.name);
      return;
    }
    if (node.anchor) this.anchors.push({ name: node.anchor, start: node.start, node });
    if (node.kind === 'seq') for (const item of node.items) this.walk(item, depth + 1);
    if (node.kind === 'map') {
      for (const e of node.entries) {
        this.walk(e.key, depth + 1);
        this.walk(e.value, depth + 1);
      }
    }
  }

  /** An alias's target: the latest definition of its anchor before it (YAML lets anchors be redefined). */
  deref(node: RawNode, depth = 0): RawNode | undefined {
    if (node.kind !== 'alias') return node;
    if (depth > 50) return undefined;
    let target: RawNode | undefined;
    for (const a of this.anchors) if (a.name === node.name && a.start < node.start) target = a.node;
    return target ? this.deref(target, depth + 1) : undefined;
  }

  /** True when the node is anchored and reused elsewhere. */
  shared(node: RawNode): boolean {
    return node.kind !== 'alias' && node.anchor !== undefined && this.referenced.has(node.anchor);
  }

  /** A key's value as the loader sees it: explicit (last wins), else the first merge source that has it. */
  lookup(map: RawNode | undefined, key: string, depth = 0): RawNode | undefined {
    const m = map ? this.deref(map) : undefined;
    if (m?.kind !== 'map' || depth > 50) return undefined;
    const explicit = explicitEntry(m, key);
    if (explicit) return explicit.value;
    for (const e of m.entries) {
      if (!isMergeKey(e.key)) continue;
      const sources = e.value.kind === 'seq' ? e.value.items : [e.value];
      for (const source of sources) {
        const found = this.lookup(source, key, depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  }
}

function isMergeKey(key: RawNode): boolean {
  return key.kind === 'scalar' && key.style === 'plain' && key.value === '<<';
}

export function keyText(key: RawNode): string | undefined {
  return key.kind === 'scalar' && key.value !== null ? String(key.value) : undefined;
}

/** The last entry written for a key in this very mapping (no merge keys). */
export function explicitEntry(map: RawMap, key: string): RawMap['entries'][number] | undefined {
  for (let i = map.entries.length - 1; i >= 0; i--) {
    const e = map.entries[i];
    if (e && !isMergeKey(e.key) && keyText(e.key) === key) return e;
  }
  return undefined;
}

/** A service written as a block mapping, with what an insertion into it needs to know. */
export interface ServiceSite {
  name: string;
  doc: DocIndex;
  map: RawMap;
  /** Column of the service's own keys. */
  keyIndent: number;
  /** The file's indentation step for nested mappings. */
  step: number;
  /** How far a block list's `-` sits right of its key, as this file writes it. */
  seqIndent: number;
}

/**
 * The service `name` whose definition (key to end of value) holds `offset`, in whichever
 * document of the file holds it. Undefined for flow-style services, aliases, or a finding that
 * points somewhere else (another file's service reached through `extends`).
 */
export function locateService(
  text: string,
  docs: RawDocument[],
  name: string,
  offset: number,
): ServiceSite | undefined {
  for (const d of docs) {
    const root = d.contents;
    if (root?.kind !== 'map') continue;
    const services = explicitEntry(root, 'services')?.value;
    if (services?.kind !== 'map' || services.flow) continue;
    for (const e of services.entries) {
      if (keyText(e.key) !== name || offset < e.key.start || offset > e.value.end) continue;
      const map = e.value;
      const first = map.kind === 'map' ? map.entries[0] : undefined;
      if (map.kind !== 'map' || map.flow || !first) return undefined;
      const doc = new DocIndex(root);
      // An anchored service reused elsewhere: a change here would change the other service too.
      if (doc.shared(map)) return undefined;
      const keyIndent = blockColumn(text, first.key.start);
      const nameIndent = blockColumn(text, e.key.start);
      if (keyIndent === undefined || nameIndent === undefined || keyIndent <= nameIndent) return undefined;
      const step = keyIndent - nameIndent;
      return { name, doc, map, keyIndent, step, seqIndent: seqIndentOf(text, root) ?? step };
    }
  }
  return undefined;
}

/** The most common offset of a block list's `-` from its key in this document (0 for `key:\n- a`). */
function seqIndentOf(text: string, root: RawNode): number | undefined {
  const counts = new Map<number, number>();
  const visit = (node: RawNode, depth: number) => {
    if (depth > 100) return;
    if (node.kind === 'seq') for (const item of node.items) visit(item, depth + 1);
    if (node.kind !== 'map') return;
    for (const e of node.entries) {
      const v = e.value;
      const first = v.kind === 'seq' && !v.flow ? v.items[0] : undefined;
      const keyCol = node.flow ? undefined : blockColumn(text, e.key.start);
      const dashCol = first ? dashColumn(text, first.start) : undefined;
      if (keyCol !== undefined && dashCol !== undefined && dashCol >= keyCol) {
        counts.set(dashCol - keyCol, (counts.get(dashCol - keyCol) ?? 0) + 1);
      }
      visit(v, depth + 1);
    }
  };
  visit(root, 0);
  let best: number | undefined;
  for (const [indent, n] of counts) if (best === undefined || n > (counts.get(best) ?? 0)) best = indent;
  return best;
}

/** The column of the `-` that opens the block-list item starting at `itemStart`. */
export function dashColumn(text: string, itemStart: number): number | undefined {
  const lineStart = text.lastIndexOf('\n', itemStart - 1) + 1;
  const match = /^( *)-(?:[ \t]|$)/.exec(text.slice(lineStart, itemStart));
  return match ? (match[1]?.length ?? 0) : undefined;
}
