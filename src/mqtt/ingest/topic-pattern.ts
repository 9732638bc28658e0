// MQTT topic filters with named wildcards: `sensors/+room/+metric` subscribes to `sensors/+/+`
// and binds the matched levels to the labels `room` and `metric`; `#rest` (last level only)
// binds everything below, joined with `/`.
import { StewardError } from '../../core/errors.js';
import { isReservedLabelName, isValidLabelName } from '../../monitor/ingest/index.js';

export interface CompiledTopic {
  /** The pattern as written. */
  readonly pattern: string;
  /** The MQTT subscription filter: the pattern with wildcard names stripped (`sensors/+/+`). */
  readonly subscription: string;
  /** Label names the wildcards bind, in level order. */
  readonly labels: readonly string[];
  /** The bound labels of a matching topic, or null. Never throws. */
  match(topic: string): Record<string, string> | null;
}

type Level =
  | { kind: 'literal'; text: string }
  | { kind: 'one'; name: string | undefined }
  | { kind: 'rest'; name: string | undefined };

/** MQTT's limit on a topic's UTF-8 length. */
const MAX_TOPIC_BYTES = 65_535;

const HINT =
  'levels are separated by "/"; "+" or "+name" matches one level, "#" or "#name" (last level only) the rest; names are label names like "room" or "node_id"';

function fail(pattern: string, problem: string): never {
  throw new StewardError('E_CONFIG', `invalid MQTT topic pattern ${JSON.stringify(pattern)}: ${problem}`, {
    hint: HINT,
  });
}

function parseLevel(pattern: string, text: string, index: number, count: number): Level {
  const wild = text[0];
  if (wild !== '+' && wild !== '#') {
    if (text.includes('+') || text.includes('#')) {
      fail(pattern, `level ${index + 1} (${JSON.stringify(text)}): a wildcard must start its level`);
    }
    return { kind: 'literal', text };
  }
  const name = text.length > 1 ? text.slice(1) : undefined;
  if (name !== undefined) {
    if (!isValidLabelName(name)) {
      fail(pattern, `level ${index + 1}: ${JSON.stringify(name)} is not a valid label name`);
    }
    if (isReservedLabelName(name)) {
      fail(pattern, `level ${index + 1}: label name ${JSON.stringify(name)} is reserved (starts with "__")`);
    }
  }
  if (wild === '#' && index !== count - 1) fail(pattern, `"${text}" must be the last level`);
  return { kind: wild === '+' ? 'one' : 'rest', name };
}

export function compileTopic(pattern: string): CompiledTopic {
  if (typeof pattern !== 'string' || pattern === '') fail(String(pattern), 'empty pattern');
  if (pattern.includes('\u0000')) fail(pattern, 'contains a NUL character');
  if (Buffer.byteLength(pattern, 'utf8') > MAX_TOPIC_BYTES)
    fail(pattern, `longer than ${MAX_TOPIC_BYTES} bytes`);
  const texts = pattern.split('/');
  const levels = texts.map((t, i) => parseLevel(pattern, t, i, texts.length));
  const labels: string[] = [];
  for (const level of levels) {
    if (level.kind === 'literal' || level.name === undefined) continue;
    if (labels.includes(level.name)) fail(pattern, `label ${JSON.stringify(level.name)} is bound twice`);
    labels.push(level.name);
  }
  const subscription = levels
    .map((l) => (l.kind === 'literal' ? l.text : l.kind === 'one' ? '+' : '#'))
    .join('/');
  const leadingWildcard = levels[0]?.kind !== 'literal';
  return {
    pattern,
    subscription,
    labels,
    match: (topic) => matchLevels(levels, leadingWildcard, topic),
  };
}

function matchLevels(
  levels: readonly Level[],
  leadingWildcard: boolean,
  topic: string,
): Record<string, string> | null {
  if (typeof topic !== 'string' || topic === '') return null;
  // A published topic never holds wildcards; `$SYS/...` is not matched by a leading wildcard (MQTT 4.7.2).
  if (topic.includes('+') || topic.includes('#')) return null;
  if (leadingWildcard && topic.startsWith('$')) return null;
  const parts = topic.split('/');
  const bound: Record<string, string> = {};
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] as Level;
    if (level.kind === 'rest') {
      // `a/#` also matches `a` itself (MQTT 4.7.1.2); the label is then empty.
      if (level.name !== undefined) bound[level.name] = parts.slice(i).join('/');
      return bound;
    }
    const part = parts[i];
    if (part === undefined) return null;
    if (level.kind === 'literal') {
      if (part !== level.text) return null;
    } else if (level.name !== undefined) {
      bound[level.name] = part;
    }
  }
  return parts.length === levels.length ? bound : null;
}
