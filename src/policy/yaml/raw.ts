/**
 * The parser-neutral YAML tree the linter works on: plain objects with source offsets.
 * Two producers build it — the fast compose-subset scanner and the `yaml` library adapter —
 * and the differential test holds them to the same output.
 */

export type ScalarValue = string | number | boolean | null;

interface NodeBase {
  /** Offset of the node's first character (for an anchored node: of the value, not the `&name`). */
  start: number;
  /** Offset just after the node's value (the `yaml` library's `range[1]`). */
  end: number;
  anchor?: string;
}

export interface RawMap extends NodeBase {
  kind: 'map';
  flow: boolean;
  entries: RawEntry[];
}

export interface RawSeq extends NodeBase {
  kind: 'seq';
  flow: boolean;
  items: RawNode[];
}

export type ScalarStyle = 'plain' | 'single' | 'double' | 'block';

export interface RawScalar extends NodeBase {
  kind: 'scalar';
  value: ScalarValue;
  style: ScalarStyle;
}

export interface RawAlias {
  kind: 'alias';
  start: number;
  end: number;
  name: string;
}

export type RawNode = RawMap | RawSeq | RawScalar | RawAlias;

export interface RawEntry {
  key: RawNode;
  /** null when the key has no value at all (`key:` → the yaml library gives a null scalar; see adapter). */
  value: RawNode;
}

export interface RawError {
  offset: number;
  message: string;
}

export interface RawDocument {
  /** null for an empty document. */
  contents: RawNode | null;
  errors: RawError[];
}
