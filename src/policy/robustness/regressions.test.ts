/** Bugs the robustness tests found, one test each: each guards against its bug coming back. */
import { describe, expect, it } from 'vitest';
import { loadProject } from '../compose/load.js';
import { mergeMaps } from '../compose/merge.js';
import type { CMap, Loc } from '../compose/nodes.js';
import { lintProject } from '../lint.js';
import { parseYaml } from '../yaml/parse.js';
import { resolveDocument } from '../yaml/resolve.js';
import { lintMemory, memoryRead, only, span } from './harness.js';

const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;

describe('verdicts', () => {
  // compose-go skips an empty document (compose-spec/compose-go loader/multidoc_test.go,
  // TestLoadMultiDocumentYaml_TrailingSeparator). The yaml library gives an empty document a
  // null scalar, not null contents, so load.ts's `if (!doc.contents) continue` misses it.
  it.each([
    ['a trailing ---', yaml('services:', '  web:', '    image: nginx:1.27', '---')],
    ['a document of comments only', yaml('services:', '  web:', '    image: nginx:1.27', '---', '# later')],
    [
      'an empty document in the middle',
      yaml('---', 'services:', '  web:', '    image: nginx:1.27', '---', '---'),
    ],
  ])('a file with %s loads (the empty document is skipped)', (_name, text) => {
    const { project } = lintMemory({ 'compose.yaml': text });
    expect(project.problems).toEqual([]);
    expect(project.services.map((s) => s.name)).toEqual(['web']);
  });

  // A repeated key was read as "last wins"; docker compose refuses such a file (go-yaml), so must we.
  it('a key repeated in one mapping is invalid-compose at the second key', () => {
    const text = yaml(
      'services:',
      '  web:',
      '    image: nginx:1.27',
      '    environment:',
      '      TZ: UTC',
      '      TZ: CET',
    );
    const { result } = lintMemory({ 'compose.yaml': text });
    const f = only(result.findings, 'invalid-compose');
    expect([f.line, f.column]).toEqual([6, 7]);
    expect(f.message).toContain('"TZ" appears twice');
  });

  // applySuppressions (lint.ts) runs inline ignores over every raw finding, invalid-compose
  // included: a file Steward could not read then lints clean.
  it.each([
    ['a comment-only file', yaml('# steward-ignore all -- generated file')],
    ['a file that is not compose', yaml('# steward-ignore all -- not ours', 'foo: bar')],
    ['an ignore naming invalid-compose', yaml('# steward-ignore invalid-compose -- later', 'foo: bar')],
  ])('an inline ignore cannot hide invalid-compose in %s', (_name, text) => {
    const { result } = lintMemory({ 'compose.yaml': text });
    expect(result.findings.map((f) => f.ruleId)).toContain('invalid-compose');
    expect(result.suppressed).toEqual([]);
  });

  // resolve.ts turns an alias to no anchor into a null scalar "from anchor &nope"; compose
  // (go-yaml) refuses the file ("unknown anchor 'nope' referenced").
  it('an alias to an anchor that does not exist is invalid-compose', () => {
    const { result } = lintMemory({ 'compose.yaml': yaml('services:', '  web:', '    image: *nope') });
    const f = only(result.findings, 'invalid-compose');
    expect(f.message).toContain('nope');
    expect(span(f)).toBe('3:12-3:12');
  });

  // The yaml library reports its own stack overflow as an error ("Maximum call stack size
  // exceeded"), which load.ts passes on as "not valid YAML": misleading for valid YAML, and
  // whether it or resolve.ts's "nesting deeper than 500 levels" fires depends on the stack.
  it('nesting too deep to parse is reported as such, not as a stack overflow', () => {
    const { result } = lintMemory({ 'compose.yaml': `x-deep:\n  ${'- '.repeat(5_000)}x\n` });
    const f = only(result.findings, 'invalid-compose');
    expect(f.message).not.toMatch(/call stack/i);
    expect(f.message).toMatch(/nest|deep/i);
  });
});

describe('locations', () => {
  // from-yaml-lib.ts convert(null) gives {start: 0, end: 0}: a key without a value in a flow
  // mapping (`{image}`) is located at the first character of the file.
  it('a flow-mapping key without a value is located at the key, not at 1:1', () => {
    const { result } = lintMemory({
      'compose.yaml': yaml(
        'services:', //                          1
        '  web: {image, privileged: true}', //  2: `image` at columns 10-14
      ),
    });
    const f = only(result.findings, 'image-pinned');
    expect(f.line).toBe(2);
    expect(f.column).toBeGreaterThanOrEqual(10);
    expect(f.column).toBeLessThanOrEqual(15);
  });
});

// The alias budget (MAX_RESOLVED_NODES) bounds how many nodes a file can make, but not the
// work per node: these inputs stay inside it and still take seconds. A fix makes each one
// linear. No timing is asserted (tests never do): the inputs are sized so that quadratic work
// would run for minutes and hit the test timeout, while the linear code takes well under a second.
describe('work stays linear in the size of the input', () => {
  it('merging a 40,000-key anchor with `<<:` stays linear', () => {
    const keys = Array.from({ length: 40_000 }, (_, i) => `k${i}: 0`).join(', ');
    const text = `x-big: &big {${keys}}\nservices:\n  web:\n    <<: *big\n    image: nginx:1.27\n`;
    const doc = parseYaml(text)[0];
    const contents = doc?.contents;
    if (!contents) throw new Error('the fixture did not parse');
    // resolve.ts visitMap once scanned the merged entries per merged entry (O(n²)).
    const root = resolveDocument(contents, 0);
    const web = root.kind === 'map' ? root.entries.find((e) => e.key === 'services')?.value : undefined;
    const merged = web?.kind === 'map' ? web.entries[0]?.value : undefined;
    expect(merged?.kind === 'map' ? merged.entries.length : 0).toBe(40_001);
  });

  it('merging two 100,000-key mappings (documents, -f files) stays linear', () => {
    const loc: Loc = { file: 0, start: 0, end: 0 };
    const map = (prefix: string): CMap => ({
      kind: 'map',
      loc,
      entries: Array.from({ length: 100_000 }, (_, i) => ({
        key: `${prefix}${i}`,
        keyLoc: loc,
        value: { kind: 'scalar', loc, value: i, quoted: false },
      })),
    });
    const base = map('x-a');
    const over = map('x-b');
    // merge.ts mergeMaps once searched the entries per override entry (O(n·m)).
    expect(mergeMaps(base, over).entries).toHaveLength(200_000);
  });

  it('linting 6,000 services with a volume each stays linear', () => {
    const services = Array.from({ length: 6_000 }, (_, i) => `  s${i}: {image: "x:1", volumes: [d${i}:/d]}`);
    const files = { 'compose.yaml': `services:\n${services.join('\n')}\n` };
    const project = loadProject(['compose.yaml'], { env: {}, read: memoryRead(files) });
    // shared-volumes.ts once re-read every other service's mounts for each service (O(services²)).
    expect(lintProject(project).findings.filter((f) => f.ruleId === 'shared-volumes')).toHaveLength(0);
  });
});
