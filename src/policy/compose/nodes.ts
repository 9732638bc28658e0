import type { ScalarValue } from '../yaml/raw.js';

/**
 * The resolved compose tree: aliases expanded, merge keys applied, every node carrying
 * where it came from. A node reached through an alias points at the alias use and names
 * the anchor (`via`), so a finding inside `<<: *defaults` lands on the line a person edits.
 */
export interface Loc {
  /** Index into the project's file list. */
  file: number;
  start: number;
  end: number;
  /** The anchor name when this node was reached through `*name`. */
  via?: string;
}

export interface CMap {
  kind: 'map';
  loc: Loc;
  entries: CEntry[];
}

export interface CEntry {
  key: string;
  keyLoc: Loc;
  value: CNode;
}

export interface CSeq {
  kind: 'seq';
  loc: Loc;
  items: CNode[];
}

export interface CScalar {
  kind: 'scalar';
  loc: Loc;
  value: ScalarValue;
  /** The text before `${VAR}` interpolation, when it differed. */
  raw?: string;
  quoted: boolean;
}

export type CNode = CMap | CSeq | CScalar;

export function entry(map: CNode | undefined, key: string): CEntry | undefined {
  if (map?.kind !== 'map') return undefined;
  // Last wins, as compose reads a mapping with a repeated key.
  for (let i = map.entries.length - 1; i >= 0; i--) {
    const e = map.entries[i];
    if (e && e.key === key) return e;
  }
  return undefined;
}

export function get(map: CNode | undefined, key: string): CNode | undefined {
  return entry(map, key)?.value;
}

export function getPath(node: CNode | undefined, ...keys: string[]): CNode | undefined {
  let at = node;
  for (const key of keys) at = get(at, key);
  return at;
}

/** A scalar's value as text ('' for null), undefined for collections. */
export function text(node: CNode | undefined): string | undefined {
  if (node?.kind !== 'scalar') return undefined;
  return node.value === null ? '' : String(node.value);
}

export function isTrue(node: CNode | undefined): boolean {
  if (node?.kind !== 'scalar') return false;
  return node.value === true || (typeof node.value === 'string' && node.value.toLowerCase() === 'true');
}

export function items(node: CNode | undefined): CNode[] {
  return node?.kind === 'seq' ? node.items : [];
}

/** Sequences of strings written either as a list or (for some keys) as one string. */
export function stringItems(node: CNode | undefined): { value: string; node: CNode }[] {
  if (node?.kind === 'seq') {
    const out: { value: string; node: CNode }[] = [];
    for (const item of node.items) {
      const value = text(item);
      if (value !== undefined) out.push({ value, node: item });
    }
    return out;
  }
  const single = text(node);
  return single !== undefined && node ? [{ value: single, node }] : [];
}

/**
 * `environment`, `labels` and friends come as a map or as a `KEY=value` list; both read as
 * entries here, each with the location of what declared it.
 */
export function keyValues(node: CNode | undefined): { key: string; value: CNode | undefined; node: CNode }[] {
  if (node?.kind === 'map') return node.entries.map((e) => ({ key: e.key, value: e.value, node: e.value }));
  if (node?.kind !== 'seq') return [];
  const out: { key: string; value: CNode | undefined; node: CNode }[] = [];
  for (const item of node.items) {
    const raw = item.kind === 'scalar' && typeof item.raw === 'string' ? item.raw : text(item);
    if (raw === undefined) continue;
    const eq = raw.indexOf('=');
    const key = eq === -1 ? raw : raw.slice(0, eq);
    const interpolated = text(item) ?? '';
    const ieq = interpolated.indexOf('=');
    const value: CScalar | undefined =
      eq === -1
        ? undefined
        : {
            kind: 'scalar',
            loc: item.loc,
            value: ieq === -1 ? '' : interpolated.slice(ieq + 1),
            raw: raw.slice(eq + 1),
            quoted: item.kind === 'scalar' && item.quoted,
          };
    out.push({ key, value, node: item });
  }
  return out;
}
