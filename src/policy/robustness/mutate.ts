/**
 * Seeded mutations of compose files for the fuzz test. Every case is a pure function of
 * (seed, index), so a failure reproduces from the two numbers the test prints.
 */
import { mulberry32 } from '../../core/seeded-random.js';
import { type CorpusFile, corpus } from './corpus.js';

/** mulberry32 with the helpers the mutations use. */
export function prng(seed: number) {
  const next = mulberry32(seed);
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => {
    const item = items[int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  };
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Rng = ReturnType<typeof prng>;

const DEPTH = 5_000;
const MEGABYTE = 1 << 20;

/** Values of every YAML type, to put where compose expects another. */
const shapes = [
  '5',
  '[a]',
  '{a: [1]}',
  '~',
  'true',
  '"text"',
  '[[1, [2]]]',
  '{}',
  '[]',
  '-1',
  '0x1F',
  '!!binary aGVsbG8=',
  '{a: {b: {c: d}}}',
  '[{published: x}, {target: [1]}]',
  '!!str 80',
  '2024-01-01',
  '.inf',
  "''",
  '*nowhere',
];

const keyLine = /^(\s*)([A-Za-z_<][\w.<-]*):(\s.*)?$/;
const itemLine = /^(\s*)- /;
const indentOf = (line: string) => line.length - line.trimStart().length;

/** The line range [from, to) of a key and the block under it. */
function blockAt(lines: string[], at: number): [number, number] {
  const indent = indentOf(lines[at] ?? '');
  let end = at + 1;
  while (end < lines.length) {
    const line = lines[end] ?? '';
    if (line.trim() !== '' && indentOf(line) <= indent) break;
    end++;
  }
  return [at, end];
}

function matching(lines: string[], re: RegExp): number[] {
  const out: number[] = [];
  lines.forEach((line, i) => {
    if (re.test(line)) out.push(i);
  });
  return out;
}

/** Puts `snippet` (lines written for indent 4) under a random block-style service, else top level. */
function intoService(rng: Rng, text: string, snippet: string[]): string {
  const lines = text.split('\n');
  const services = matching(lines, /^ {2}[\w.-]+:\s*(#.*)?$/);
  if (services.length === 0) return `${text}\nx-fuzz:\n${snippet.map((l) => l.slice(2)).join('\n')}\n`;
  const at = rng.pick(services);
  lines.splice(at + 1, 0, ...snippet);
  return lines.join('\n');
}

/** Billion laughs: `lol9` expands to 9^10 scalars, top-level extension fields `x-lol0`…`x-lol9`. */
export const aliasBomb = (() => {
  const defs = ['x-lol0: &lol0 [x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 10; i++)
    defs.push(
      `x-lol${i}: &lol${i} [${Array(9)
        .fill(`*lol${i - 1}`)
        .join(', ')}]`,
    );
  return defs.join('\n');
})();

type TextMutation = (rng: Rng, text: string) => { text: string; note: string };
type ByteMutation = (rng: Rng, bytes: Buffer) => { bytes: Buffer; note: string };

const textMutations = {
  'type-swap': (rng, text) => {
    const lines = text.split('\n');
    const keys = matching(lines, keyLine);
    const asItem = keys.length === 0 || rng.chance(0.3);
    const candidates = asItem ? matching(lines, itemLine) : keys;
    if (candidates.length === 0) return { text: `${text}\nservices: [a]\n`, note: 'appended services: [a]' };
    const at = rng.pick(candidates);
    const shape = rng.pick(shapes);
    const line = lines[at] ?? '';
    const [from, to] = blockAt(lines, at);
    const head = asItem ? `${' '.repeat(indentOf(line))}- ` : `${line.split(':')[0]}: `;
    lines.splice(from, to - from, head + shape);
    return { text: lines.join('\n'), note: `line ${at + 1} → ${JSON.stringify(head + shape)}` };
  },
  'deep-flow': (rng, text) => {
    const [open, close] = rng.pick([
      ['[', ']'],
      ['{a: ', '}'],
      ['[{a: ', '}]'],
    ] as const);
    const closed = rng.chance(0.7);
    const value = open.repeat(DEPTH) + (closed ? `x${close.repeat(DEPTH)}` : '');
    return {
      text: intoService(rng, text, [`    deep: ${value}`]),
      note: `${open} ×${DEPTH} closed=${closed}`,
    };
  },
  'deep-block': (rng, text) => {
    // One space more per level: 5,000 nested block mappings.
    const snippet = Array.from({ length: DEPTH }, (_, i) => `${' '.repeat(4 + i)}k${i}:`);
    snippet.push(`${' '.repeat(4 + DEPTH)}leaf: v`);
    return { text: intoService(rng, text, snippet), note: `${DEPTH} block mappings` };
  },
  'alias-bomb': (rng, text) => {
    const use = rng.pick(['<<: *lol9', 'environment: *lol9', '<<: [*lol8, *lol9]', 'command: *lol9', '']);
    const withDefs = `${aliasBomb}\n${text}`;
    const out = use ? intoService(rng, withDefs, [`    ${use}`]) : withDefs;
    return { text: out, note: `10 levels, used as ${JSON.stringify(use)}` };
  },
  'huge-anchor': (rng, text) => {
    // Up to 1,000 entries: bigger merges run into the quadratic merge-key bug (see regressions.test.ts).
    const n = 200 + rng.int(800);
    const kind = rng.int(3);
    if (kind === 0) {
      const map = Array.from({ length: n }, (_, i) => `K${i}: v${i}`).join(', ');
      return { text: intoService(rng, `x-big: &big {${map}}\n${text}`, ['    <<: *big']), note: `map ${n}` };
    }
    if (kind === 1) {
      const ports = Array.from({ length: n }, (_, i) => `"0.0.0.0:${i}:80"`).join(', ');
      const snippet = ['    ports: *big', '    volumes: [/:/host]'];
      return { text: intoService(rng, `x-big: &big [${ports}]\n${text}`, snippet), note: `ports ${n}` };
    }
    const scalar = 'a'.repeat(n * 100);
    const snippet = ['    image: *big', '    environment: {X: *big, Y: *big}', '    command: [*big, *big]'];
    return { text: intoService(rng, `x-big: &big "${scalar}"\n${text}`, snippet), note: `scalar ${n * 100}` };
  },
  'duplicate-key': (rng, text) => {
    const lines = text.split('\n');
    const keys = matching(lines, keyLine);
    if (keys.length === 0) return { text: `${text}\nservices:\nservices:\n`, note: 'two services keys' };
    const [from, to] = blockAt(lines, rng.pick(keys));
    const block = lines.slice(from, to);
    lines.splice(to, 0, ...block);
    return { text: lines.join('\n'), note: `lines ${from + 1}-${to} twice` };
  },
  tabs: (rng, text) => {
    const lines = text.split('\n');
    const at = rng.int(lines.length);
    const line = lines[at] ?? '';
    lines[at] = rng.chance(0.5) ? line.replace(/^ +/, '\t') : line.replace(': ', ':\t');
    return { text: lines.join('\n'), note: `line ${at + 1}` };
  },
  'long-line': (rng, text) => {
    const big = 'x'.repeat(MEGABYTE);
    const which = rng.int(3);
    if (which === 0) return { text: intoService(rng, text, [`    image: "${big}"`]), note: '1 MB image' };
    if (which === 1)
      return { text: intoService(rng, text, [`    command: ${big}`]), note: '1 MB plain scalar' };
    return { text: `# ${big}\n${text}`, note: '1 MB comment' };
  },
  'replace-whole': (rng) => {
    const text = rng.pick([
      '',
      '\n\n',
      '# only\n# comments\n',
      'services:\n',
      'services: # nothing yet\n',
      'services: {}\n',
      'services: ~\n',
      '---\n',
      'name: empty\n',
      '[]\n',
      '"just a string"\n',
      'services: [a]\n',
      'services:\n  web:\n',
    ]);
    return { text, note: JSON.stringify(text) };
  },
  'yaml-noise': (rng, text) => {
    let out = text;
    const count = 1 + rng.int(5);
    for (let i = 0; i < count; i++) {
      const at = rng.int(out.length + 1);
      out = out.slice(0, at) + rng.pick([...':-[]{}&*!|>\'"%@`#,? \n\t\\']) + out.slice(at);
    }
    return { text: out, note: `${count} characters` };
  },
  'line-edit': (rng, text) => {
    const lines = text.split('\n');
    const a = rng.int(lines.length);
    const b = rng.int(lines.length);
    const op = rng.int(3);
    if (op === 0) lines.splice(a, 1);
    else if (op === 1) [lines[a], lines[b]] = [lines[b] ?? '', lines[a] ?? ''];
    else lines[a] = (lines[a] ?? '').replace(/^ {2}/, '');
    return { text: lines.join('\n'), note: `${['delete', 'swap', 'dedent'][op]} ${a + 1} ${b + 1}` };
  },
  'doc-split': (rng, text) => {
    const lines = text.split('\n');
    const at = rng.int(lines.length + 1);
    lines.splice(at, 0, rng.pick(['---', '...', '--- # next', '---\n---']));
    return { text: lines.join('\n'), note: `before line ${at + 1}` };
  },
  crlf: (_rng, text) => ({ text: text.replace(/\n/g, '\r\n'), note: '' }),
} satisfies Record<string, TextMutation>;

const badSequences = [
  [0xc3, 0x28], // a lead byte without its continuation
  [0xff],
  [0x80], // a lone continuation byte
  [0xed, 0xa0, 0x80], // U+D800, a lone surrogate, encoded
  [0xed, 0xbf, 0xbf], // U+DFFF
  [0xc0, 0xaf], // an overlong "/"
  [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
  [0xe2, 0x82], // cut short
];

const byteMutations = {
  truncate: (rng, bytes) => {
    const at = rng.int(bytes.length + 1);
    return { bytes: bytes.subarray(0, at), note: `at byte ${at} of ${bytes.length}` };
  },
  'byte-flip': (rng, bytes) => {
    const out = Buffer.from(bytes);
    const count = 1 + rng.int(8);
    for (let i = 0; i < count && out.length > 0; i++) {
      const at = rng.int(out.length);
      out[at] = (out[at] ?? 0) ^ (1 + rng.int(255));
    }
    return { bytes: out, note: `${count} bytes` };
  },
  'invalid-utf8': (rng, bytes) => {
    const seq = rng.pick(badSequences);
    const at = rng.int(bytes.length + 1);
    const bytesOut = Buffer.concat([bytes.subarray(0, at), Buffer.from(seq), bytes.subarray(at)]);
    return { bytes: bytesOut, note: `${Buffer.from(seq).toString('hex')} at ${at}` };
  },
  'utf16-bom': (rng, bytes) => {
    const which = rng.int(3);
    if (which === 0)
      return { bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), bytes]), note: 'FF FE + UTF-8' };
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(bytes.toString('utf8'), 'utf16le')]);
    if (which === 1) return { bytes: le, note: 'UTF-16LE' };
    return { bytes: Buffer.from(le).swap16(), note: 'UTF-16BE' };
  },
  nul: (rng, bytes) => {
    let out = bytes;
    const count = 1 + rng.int(4);
    for (let i = 0; i < count; i++) {
      const at = rng.int(out.length + 1);
      out = Buffer.concat([out.subarray(0, at), Buffer.from([0]), out.subarray(at)]);
    }
    return { bytes: out, note: `${count} NUL bytes` };
  },
  'utf8-bom': (_rng, bytes) => ({ bytes: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]), note: '' }),
} satisfies Record<string, ByteMutation>;

type TextKind = keyof typeof textMutations;
type ByteKind = keyof typeof byteMutations;
export type MutationKind = TextKind | ByteKind;

/** Relative frequency: the costly inputs (megabytes, 5,000 levels, bombs) are rare but certain. */
const weights: Record<MutationKind, number> = {
  'type-swap': 30,
  'deep-flow': 0.15,
  'deep-block': 0.1,
  'alias-bomb': 0.3,
  'huge-anchor': 0.6,
  'duplicate-key': 10,
  tabs: 6,
  'long-line': 0.3,
  'replace-whole': 3,
  'yaml-noise': 10,
  'line-edit': 10,
  'doc-split': 4,
  crlf: 3,
  truncate: 10,
  'byte-flip': 8,
  'invalid-utf8': 4,
  'utf16-bom': 2,
  nul: 3,
  'utf8-bom': 2,
};
export const mutationKinds = Object.keys(weights) as MutationKind[];
const isTextKind = (kind: MutationKind): kind is TextKind => kind in textMutations;

function weightedKind(rng: Rng): MutationKind {
  const total = mutationKinds.reduce((sum, k) => sum + weights[k], 0);
  let r = rng.next() * total;
  for (const kind of mutationKinds) {
    r -= weights[kind];
    if (r < 0) return kind;
  }
  return 'type-swap';
}

export interface FuzzCase {
  index: number;
  base: CorpusFile;
  /** Applied in order, each with what it did. */
  mutations: { kind: MutationKind; note: string }[];
  bytes: Buffer;
}

/**
 * Case `index` of run `seed`. The first cases apply each kind alone, twice over the corpus
 * (so every kind runs, and a lone alias bomb can be checked for its message); the rest stack
 * one to three weighted kinds: text mutations first, then byte mutations on the encoded text.
 */
export function fuzzCase(seed: number, index: number): FuzzCase {
  const rng = prng((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const base = corpus[index % corpus.length] ?? corpus[0];
  if (!base) throw new Error('empty corpus');
  const forced = mutationKinds[index % mutationKinds.length];
  const kinds: MutationKind[] =
    index < mutationKinds.length * 2 && forced
      ? [forced]
      : Array.from({ length: 1 + rng.int(3) }, () => weightedKind(rng));
  const ordered = [...kinds.filter(isTextKind), ...kinds.filter((k) => !isTextKind(k))];
  // A whole-file replacement first, so the other mutations apply to it instead of being erased.
  ordered.sort((a, b) => Number(b === 'replace-whole') - Number(a === 'replace-whole'));
  let text = base.text;
  let bytes: Buffer | undefined;
  const mutations: FuzzCase['mutations'] = [];
  for (const kind of ordered) {
    if (isTextKind(kind)) {
      const out = textMutations[kind](rng, text);
      text = out.text;
      mutations.push({ kind, note: out.note });
    } else {
      const out = byteMutations[kind](rng, bytes ?? Buffer.from(text, 'utf8'));
      bytes = out.bytes;
      mutations.push({ kind, note: out.note });
    }
  }
  return { index, base, mutations, bytes: bytes ?? Buffer.from(text, 'utf8') };
}
