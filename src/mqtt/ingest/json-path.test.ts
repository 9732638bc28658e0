import { describe, expect, it } from 'vitest';
import { evaluateJsonPath, type JsonPath, parseJsonPath } from './json-path.js';

function path(source: string): JsonPath {
  const p = parseJsonPath(source);
  if (typeof p === 'string') throw new Error(p);
  return p;
}

describe('parseJsonPath', () => {
  it.each([
    ['$', []],
    ['$.t', ['t']],
    ['$.a.b', ['a', 'b']],
    ['$.arr[0]', ['arr', 0]],
    ['$[2][10]', [2, 10]],
    ['$["odd key"].x', ['odd key', 'x']],
    ['$["q\\"uote"]', ['q"uote']],
    ["$['single']", ['single']],
    ['$.temp-c', ['temp-c']],
  ])('%s', (source, segments) => {
    expect(path(source).segments).toEqual(segments);
  });

  it.each([
    ['t', /must start with "\$"/],
    ['$x', /unexpected "x"/],
    ['$.', /empty key/],
    ['$.a..b', /empty key/],
    ['$[', /unclosed "\["/],
    ['$[-1]', /not an array index/],
    ['$[1.5]', /not an array index/],
    ['$[9999999999]', /not an array index/],
    ['$["open', /unclosed/],
    ["$['a\\'b']", /escapes are only allowed/],
    ['$["\\x"]', /invalid escape/],
    [`$${'.a'.repeat(33)}`, /more than 32 steps/],
  ])('rejects %s', (source, problem) => {
    expect(parseJsonPath(source)).toMatch(problem);
  });
});

describe('evaluateJsonPath', () => {
  const doc = { a: { b: [10, { c: true }] }, n: null };
  it('walks objects and arrays, undefined when a step is missing or of the wrong kind', () => {
    expect(evaluateJsonPath(doc, path('$.a.b[1].c'))).toBe(true);
    expect(evaluateJsonPath(doc, path('$.n'))).toBeNull();
    expect(evaluateJsonPath(doc, path('$.a.b[2]'))).toBeUndefined();
    expect(evaluateJsonPath(doc, path('$.a[0]'))).toBeUndefined();
    expect(evaluateJsonPath(doc, path('$.a.b.length'))).toBeUndefined();
    expect(evaluateJsonPath(doc, path('$.n.x'))).toBeUndefined();
    expect(evaluateJsonPath(doc, path('$.toString'))).toBeUndefined();
  });
});
