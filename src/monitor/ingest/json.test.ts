import { describe, expect, it } from 'vitest';
import { MAX_JSON_ITEMS, parseJsonSamples } from './json.js';

describe('parseJsonSamples', () => {
  it('accepts a bare array and a { samples } wrapper', () => {
    const item = { name: 'cpu_usage', labels: { host: 'a' }, value: 0.5 };
    const expected = { samples: [{ name: 'cpu_usage', labels: { host: 'a' }, value: 0.5 }], errors: [] };
    expect(parseJsonSamples([item])).toEqual(expected);
    expect(parseJsonSamples({ samples: [item] })).toEqual(expected);
  });

  it('maps booleans to 1/0 and defaults labels to {}', () => {
    const res = parseJsonSamples([
      { name: 'up', value: true },
      { name: 'up', value: false },
    ]);
    expect(res.samples).toEqual([
      { name: 'up', labels: {}, value: 1 },
      { name: 'up', labels: {}, value: 0 },
    ]);
  });

  it('accepts ms and ISO 8601 timestamps', () => {
    const res = parseJsonSamples([
      { name: 'a', value: 1, ts: 1_700_000_000_123 },
      { name: 'a', value: 1, ts: '2023-11-14T22:13:20.123Z' },
      { name: 'a', value: 1, ts: '2023-11-15T00:13:20.123+02:00' },
    ]);
    expect(res.errors).toEqual([]);
    expect(res.samples.map((s) => s.ts)).toEqual([1_700_000_000_123, 1_700_000_000_123, 1_700_000_000_123]);
    expect('ts' in parseJsonSamples([{ name: 'a', value: 1 }]).samples[0]!).toBe(false);
  });

  it('keeps valid items and reports each bad one by index', () => {
    const res = parseJsonSamples([
      { name: 'ok', value: 1 },
      { name: '1bad', value: 1 },
      { name: 'x', value: '3' },
      { name: 'x', value: Number.NaN },
      { name: 'x', value: Number.POSITIVE_INFINITY },
      null,
      { name: 'x', value: 1, labels: { 'host-name': 'a' } },
      { name: 'x', value: 1, labels: { __name__: 'a' } },
      { name: 'x', value: 1, labels: { a: 1 } },
      { name: 'x', value: 1, ts: 'yesterday' },
      { name: 'x', value: 1, ts: 1.5 },
      { name: 'x', value: 1, ts: 1e300 },
      { name: 'x', value: 1, ts: '2024-01-01T00:00:00' },
      { value: 1 },
      { name: 'also_ok', value: -2.5, extra: 'ignored' },
    ]);
    expect(res.samples).toEqual([
      { name: 'ok', labels: {}, value: 1 },
      { name: 'also_ok', labels: {}, value: -2.5 },
    ]);
    const byIndex = new Map(res.errors.map((e) => [e.at, e.message]));
    expect([...byIndex.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(byIndex.get(1)).toBe('item 1: name: invalid metric name (must match [a-zA-Z_:][a-zA-Z0-9_:]*)');
    expect(byIndex.get(2)).toBe('item 2: value: value must be a finite number or a boolean');
    expect(byIndex.get(3)).toContain('item 3: value:');
    expect(byIndex.get(5)).toBe('item 5: Invalid input: expected object, received null');
    expect(byIndex.get(6)).toContain('labels.host-name: invalid label name "host-name"');
    expect(byIndex.get(7)).toContain('labels.__name__: reserved label name "__name__"');
    expect(byIndex.get(8)).toContain('labels.a: Invalid input: expected string, received number');
    expect(byIndex.get(9)).toBe('item 9: ts: invalid ISO 8601 timestamp "yesterday"');
    expect(byIndex.get(10)).toContain('item 10: ts: ts must be an integer');
    expect(byIndex.get(11)).toContain('item 11: ts:');
    expect(byIndex.get(12)).toContain('item 12: ts: invalid ISO 8601 timestamp');
    expect(byIndex.get(13)).toContain('item 13: name: Invalid input: expected string, received undefined');
  });

  it('rejects a __proto__ label key from JSON.parse instead of dropping it', () => {
    const res = parseJsonSamples(JSON.parse('[{"name":"x","value":1,"labels":{"__proto__":"y"}}]'));
    expect(res.samples).toEqual([]);
    expect(res.errors[0]!.message).toContain('reserved label name "__proto__"');
  });

  it('does not rename invalid names', () => {
    const res = parseJsonSamples([{ name: 'cpu.load', value: 1 }]);
    expect(res.samples).toEqual([]);
    expect(res.errors).toHaveLength(1);
  });

  it.each([undefined, null, 42, 'text', {}, { samples: 'no' }])('rejects body %j', (body) => {
    expect(parseJsonSamples(body)).toEqual({
      samples: [],
      errors: [{ at: 0, message: 'body must be an array of samples or an object with a "samples" array' }],
    });
  });

  it('caps the item count with a single error', () => {
    const items = Array.from({ length: MAX_JSON_ITEMS + 5 }, () => ({ name: 'm', value: 1 }));
    const res = parseJsonSamples({ samples: items });
    expect(res.samples).toHaveLength(MAX_JSON_ITEMS);
    expect(res.errors).toEqual([
      {
        at: MAX_JSON_ITEMS,
        message: `item ${MAX_JSON_ITEMS}: too many items (limit ${MAX_JSON_ITEMS}); 5 items ignored`,
      },
    ]);
  });

  it('never throws on odd values', () => {
    const hostile = {
      get name(): string {
        throw new Error('boom');
      },
      value: 1,
    };
    const res = parseJsonSamples([hostile, [], () => 1, Symbol('s'), 1n, { name: 'ok', value: 1 }]);
    expect(res.samples).toHaveLength(1);
    expect(res.errors.map((e) => e.at)).toEqual([0, 1, 2, 3, 4]);
  });
});
