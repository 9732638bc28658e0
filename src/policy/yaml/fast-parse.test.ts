import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { generateCompose, generateTricky, prng } from './fast-fixtures.js';
import { parseYamlFast } from './fast-parse.js';
import { parseWithYamlLib } from './from-yaml-lib.js';

const SUPPORTED: string[] = [
  // documents and trivia
  '',
  '# only a comment\n',
  '\n\n  \n',
  '---\n',
  '---\n---\n',
  '--- # c\n',
  '---  \n...\n',
  'a: 1\n...\n',
  'a: 1\n---\nb: 2\n',
  'a: 1\n...\n# c\n---\n',
  'a: 1\n...\nb: 2\n',
  '# head\n\n--- # doc\na: 1',
  // mappings and empty values
  'a: b',
  'a:\n',
  'a:',
  'a:   \n',
  'a:  # c\n',
  'a:\n  # c\nb: 1\n',
  'x:\n  a:\n  # c\n\n',
  'x:\n  a:\n\n',
  'a : b\n"q k" : v\n\'s k\': v\n',
  'a b: c d  \n',
  'services:\n  web:\n    image: nginx\n  db:\n    image: postgres\n',
  // trailing comments and blank lines (they move collection ends)
  'a: b\n# c\n',
  'a: b\n   # c\nd: e\n',
  'x:\n  a: b\n    # c\n',
  'x:\n  a: b\n  # c\n',
  'x:\n  a: b\n# c\n',
  'x:\n  a: b\n\n    # c\n\n',
  'x:\n  a: b\n\n  # c\n\n',
  'x:\n  a:\n    b: 1\n  # c\ny: 2\n',
  'a:\n  b: c\n\n# x\n\nd: e\n',
  'x:\n  - a\n  # c\n',
  'x:\n- a\n# c\n',
  'a:\n  - x\n  # c\n  -\nb: 1\n',
  '- a\n  # c\n-\n',
  // sequences
  '- a\n- b\n',
  'a:\n- x\n- y\nb: 1\n',
  'a:\n  b:\n  - x\n  -\n  c: 1\n',
  '-\n  a: 1\n-\n  - x\n',
  '- a: 1\n  b: 2\n- c: 3\n',
  '-   a: 1\n    b: 2\n',
  '- "q": 1\n',
  '- key:\n  - a\n',
  // plain scalars and the core schema
  'a: 0o17\nb: 012\nc: 0x1F\nd: 1e3\ne: .5\nf: 1.\ng: -.inf\nh: .NaN\ni: +12\nj: ~\nk: Null\nl: TRUE\n',
  'a: 1_000\nb: 0b1\nc: -0\nd: 1.50\ne: +.INF\nf: .Inf\ng: 99999999999999999999\nh: 0x\ni: 1e\n',
  'a: b#c\nb: -x\nc: :x\nd: ?x\ne: http://h:80/p?q=1#f\nf: x - y\ng: "[a]"\n',
  'true: 1\nnull: 2\n1: 3\n~: 4\n',
  'a: é 𝄞 中文\n',
  // quoted scalars
  "a: 'it''s'\nb: \"x\\ty\\n\\\"\\\\\\/\"\nc: \"\"\nd: ''\n",
  'a: "\\x41\\u00e9\\U0001F600\\0\\a\\b\\e\\f\\r\\v\\N\\_\\L\\P\\ "\n',
  'a: "b # c" # d\n',
  // flow collections
  'a: []\nb: {}\nc: [ ]\nd: { }\n',
  'a: [1, "two", three, 4.5, null]\n',
  'limits: { cpus: "0.5", memory: 256M }\n',
  'a: {"j":1, \'k\':[x, y], z: {n: [1, [2]]}}\n',
  'test: ["CMD", "curl", "-f", "http://localhost"]\n',
  'a: [a b, c:d, -1, :x]\n',
  // block scalars
  'a: |\n  x\n  y\n',
  'a: >\n  x\n  y\n\n  z\n',
  'a: |-\n  x\n\n',
  'a: |+\n  x\n\n\nb: 1\n',
  'a: >-\n  one\n    more\n    indented\n  two\n\n  three\n',
  'a: >\n\n  x\n   y\n  z\n',
  'a: | # comment\n  x # not\n  b\n',
  'a: |\n  x\n\n\n',
  'a: |\n    x\n  \n      \nb: 1\n',
  'a: |+\n  x\n   \n',
  'a: >\n  x',
  'x:\n  a: |\n    foo\n\n  # c\n\n',
  '- |\n  x\n- >-\n  y\n',
  // anchors, aliases, merge keys
  'x-defaults: &defaults\n  restart: always\nsvc:\n  <<: *defaults\n  image: x\n',
  'a: &x 1\nb: &x 2\nc: *x\nd: *undefined\n',
  '<<: [*a, *b]\n',
  '&x a: 1\n',
  '- &x a: 1\n',
  '- &x\n  b: 1\n',
  '- &x\n  - 1\n',
  'a: &x\n- 1\n',
  'a: &f [1]\nb: &g {c: d}\nc: &h "q"\nd: &i |\n  t\n',
  `${'k'.repeat(900)}: v\n`,
];

const DECLINED: string[] = [
  'a: !tag b\n',
  '!!map\na: b\n',
  '%YAML 1.2\n---\na: b\n',
  '? a\n: b\n',
  'a:\tb\n',
  '\ta: b\n',
  'a: b\r\n',
  '\ufeffa: b\n',
  'a: b\n  c\n',
  'a: "b\n  c"\n',
  'a: [1,\n  2]\n',
  'a: [1, 2',
  'a: {b: 1',
  'a: b: c\n',
  'a: 1\n  b: 2\n',
  'a:\n    b: 1\n  c: 2\n',
  '- a\n b\n',
  'a: 1\n- b\n',
  '[a, b]: c\n',
  '*a : b\n',
  'plain scalar\n',
  '  a: 1\n',
  'a: |2\n  x\n',
  'a: |\nb: 1\n',
  'a: &x\n',
  'a: [a, b, ]\n',
  'a: {x: 1, y}\n',
  'a: [a: 1]\n',
  'a: "\\q"\n',
  'a: "x"y\n',
  'a: "x"#c\n',
  '- - a\n',
  'a: @x\n',
  'a: `x\n',
  'a: ,x\n',
  '...\n',
  '--- a\n',
  'a: \u0007\n',
  `${'k'.repeat(1100)}: v\n`,
  'k0: # empty\n\n---\nb: 1\n',
];

function corpusFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return corpusFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

/** Fast result vs reference: 'declined', 'ok', or 'mismatch'. */
function differential(src: string): 'declined' | 'ok' | 'mismatch' {
  const fast = parseYamlFast(src);
  if (fast === null) return 'declined';
  return isDeepStrictEqual(fast, parseWithYamlLib(src)) ? 'ok' : 'mismatch';
}

const INSERTS = [
  ':',
  '-',
  "'",
  '"',
  '[',
  '{',
  '#',
  ' ',
  '\n',
  '|',
  '>',
  '&',
  '*',
  ',',
  ']',
  '- ',
  ': ',
  ' #',
  '---\n',
];

function mutate(src: string, rng: () => number): string {
  let s = src;
  const count = 1 + Math.floor(rng() * 3);
  for (let m = 0; m < count; m++) {
    const lines = s.split('\n');
    const li = Math.floor(rng() * lines.length);
    const line = lines[li] ?? '';
    const at = Math.floor(rng() * (s.length + 1));
    const r = rng();
    if (r < 0.25) s = s.slice(0, at) + s.slice(at + 1);
    else if (r < 0.55) s = s.slice(0, at) + (INSERTS[Math.floor(rng() * INSERTS.length)] ?? '') + s.slice(at);
    else if (r < 0.65) lines.splice(li, 0, line);
    else if (r < 0.8)
      lines[li] = rng() < 0.5 ? ' '.repeat(1 + Math.floor(rng() * 3)) + line : line.replace(/^ {1,2}/, '');
    else if (r < 0.9) lines.splice(li, 1);
    else lines.splice(li, 0, `${' '.repeat(Math.floor(rng() * 8))}# c`);
    if (r >= 0.55) s = lines.join('\n');
  }
  return s;
}

describe('parseYamlFast', () => {
  it.each(SUPPORTED)('matches the yaml library on %j', (src) => {
    const fast = parseYamlFast(src);
    expect(fast).not.toBeNull();
    expect(fast).toEqual(parseWithYamlLib(src));
  });

  it.each(DECLINED)('declines %j', (src) => {
    expect(parseYamlFast(src)).toBeNull();
  });

  it('matches the reference on the KICS compose corpus', () => {
    const files = corpusFiles('/work/shared/external/kics-compose');
    expect(files.length).toBeGreaterThan(50);
    const declined: string[] = [];
    for (const file of files) {
      const src = readFileSync(file, 'utf8');
      const verdict = differential(src);
      if (verdict === 'mismatch') expect.fail(`mismatch on ${file}`);
      if (verdict === 'declined') declined.push(file);
    }
    console.log(`KICS corpus: ${declined.length}/${files.length} declined`, declined);
    expect(declined.length).toBeLessThan(files.length / 10);
  });

  it('accepts and matches realistic generated compose files', () => {
    for (let seed = 1; seed <= 25; seed++) {
      const src = generateCompose(seed, 5 + (seed % 26));
      const fast = parseYamlFast(src);
      if (fast === null) expect.fail(`declined generated file (seed ${seed}):\n${src}`);
      expect(fast, `seed ${seed}`).toEqual(parseWithYamlLib(src));
    }
  });

  it('matches on random tricky documents (comments, empties, block scalars, anchors)', () => {
    let accepted = 0;
    for (let seed = 0; seed < 1000; seed++) {
      const src = generateTricky(seed);
      const verdict = differential(src);
      if (verdict === 'mismatch') expect.fail(`mismatch (tricky seed ${seed}): ${JSON.stringify(src)}`);
      if (verdict === 'ok') accepted++;
    }
    expect(accepted).toBeGreaterThan(900);
  });

  it('never throws and never disagrees on seeded random mutations', () => {
    const rng = prng(20240601);
    const bases = [
      ...Array.from({ length: 10 }, (_, i) => generateCompose(500 + i, 1 + (i % 3))),
      ...Array.from({ length: 30 }, (_, i) => generateTricky(9000 + i)),
    ];
    let accepted = 0;
    for (let i = 0; i < 3000; i++) {
      const src = mutate(bases[i % bases.length] ?? '', rng);
      let verdict: string;
      try {
        verdict = differential(src);
      } catch (e) {
        expect.fail(`threw on mutation ${i}: ${JSON.stringify(src)}\n${String(e)}`);
      }
      if (verdict === 'mismatch') expect.fail(`mismatch on mutation ${i}: ${JSON.stringify(src)}`);
      if (verdict === 'ok') accepted++;
    }
    expect(accepted).toBeGreaterThan(500);
  });
});
