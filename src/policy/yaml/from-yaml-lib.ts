import { createRequire } from 'node:module';
import type { Alias, Node, Scalar } from 'yaml';
import type { RawDocument, RawNode, ScalarStyle } from './raw.js';

/**
 * Parses with the `yaml` library (the reference, and the fallback for anything the fast
 * scanner declines) and converts every document to the raw tree.
 */
const tooDeep = 'nesting too deep to parse';

type YamlLib = typeof import('yaml');
let lib: YamlLib | undefined;

/**
 * The library loads on first use (it costs ~45 ms at start-up): most compose files never need
 * it, since the fast scanner reads them.
 */
function yamlLib(): YamlLib {
  lib ??= createRequire(import.meta.url)('yaml') as YamlLib;
  return lib;
}

export function parseWithYamlLib(src: string): RawDocument[] {
  try {
    const docs = yamlLib().parseAllDocuments(src, { uniqueKeys: false, prettyErrors: false, merge: false });
    const list = Array.isArray(docs) ? docs : [docs];
    return list.map((doc) => ({
      contents: doc.contents ? convert(doc.contents as Node) : null,
      errors: doc.errors.map((e) => ({
        offset: e.pos[0],
        message: e.code === 'RESOURCE_EXHAUSTION' ? tooDeep : (e.message.split('\n')[0] ?? e.message),
      })),
    }));
  } catch (err) {
    // The library (and convert) recurse per nesting level; thousands of levels exhaust the stack.
    if (err instanceof RangeError) return [{ contents: null, errors: [{ offset: 0, message: tooDeep }] }];
    throw err;
  }
}

function styleOf(type: Scalar['type']): ScalarStyle {
  switch (type) {
    case 'QUOTE_SINGLE':
      return 'single';
    case 'QUOTE_DOUBLE':
      return 'double';
    case 'BLOCK_FOLDED':
    case 'BLOCK_LITERAL':
      return 'block';
    default:
      return 'plain';
  }
}

function rangeOf(node: Node): { start: number; end: number } {
  const range = node.range;
  return range ? { start: range[0], end: range[1] } : { start: 0, end: 0 };
}

/** `at`: where a missing node (a flow key without a value) is, so it is not located at 1:1. */
function convert(node: Node | null | undefined, at = 0): RawNode {
  const { isAlias, isMap, isScalar, isSeq } = yamlLib();
  if (node == null) return { kind: 'scalar', start: at, end: at, value: null, style: 'plain' };
  const { start, end } = rangeOf(node);
  const anchor = 'anchor' in node && typeof node.anchor === 'string' ? { anchor: node.anchor } : {};
  if (isAlias(node)) return { kind: 'alias', start, end, name: (node as Alias).source };
  if (isScalar(node)) {
    const v = node.value;
    const value =
      v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
        ? v
        : typeof v === 'bigint'
          ? Number(v)
          : String(v);
    return { kind: 'scalar', start, end, ...anchor, value, style: styleOf(node.type) };
  }
  if (isMap(node)) {
    return {
      kind: 'map',
      start,
      end,
      ...anchor,
      flow: node.flow === true,
      entries: node.items.map((pair) => ({
        key: convert(pair.key as Node | null),
        value: convert(pair.value as Node | null, (pair.key as Node | null)?.range?.[1] ?? start),
      })),
    };
  }
  if (isSeq(node)) {
    return {
      kind: 'seq',
      start,
      end,
      ...anchor,
      flow: node.flow === true,
      items: node.items.map((item) => convert(item as Node | null)),
    };
  }
  return { kind: 'scalar', start, end, value: null, style: 'plain' };
}
