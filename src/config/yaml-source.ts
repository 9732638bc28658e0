import { type Document, isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';

/**
 * A parsed YAML file that still knows where every node came from, so a problem at a
 * key path can be reported at its file:line:column.
 */
export interface YamlSource {
  file: string;
  text: string;
  doc: Document;
  lines: LineCounter;
}

export function parseYaml(file: string, text: string): YamlSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  return { file, text, doc, lines };
}

export interface Position {
  line: number;
  column: number;
}

/**
 * Position of the node at `path`. `at: 'key'` points at the key itself (for unknown or
 * misspelt keys); otherwise at the value. When the path runs out (a missing key), the
 * deepest existing parent is used.
 */
export function locate(
  src: YamlSource,
  path: readonly PropertyKey[],
  at: 'key' | 'value' = 'value',
): Position {
  let node: unknown = src.doc.contents;
  let keyNode: Node | undefined;
  let lastGood: unknown = node;
  for (const segment of path) {
    keyNode = undefined;
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
      );
      if (!pair) break;
      keyNode = pair.key as Node;
      node = pair.value ?? pair.key;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined) break;
      node = item;
    } else {
      break;
    }
    lastGood = node;
  }
  const target = at === 'key' && keyNode ? keyNode : (lastGood as Node | null);
  const offset = target?.range?.[0] ?? 0;
  const pos = src.lines.linePos(offset);
  return { line: pos.line, column: pos.col };
}

/** Position of a key inside the map at `parentPath` (for unknown keys). */
export function locateKey(src: YamlSource, parentPath: readonly PropertyKey[], key: string): Position {
  return locate(src, [...parentPath, key], 'key');
}
