import { spawnSync } from 'node:child_process';
import v8 from 'node:v8';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HEAP_FLAGS, roomToAllocate, tuneHeap } from './heap-tuning.js';

/** Young-generation size (MiB) after a burst of short-lived objects, in a fresh node with `flags` set at run time. */
function youngGenAfterBurst(flags: readonly string[]): number {
  const code = `
    import v8 from 'node:v8';
    for (const f of ${JSON.stringify(flags)}) v8.setFlagsFromString(f);
    let keep = [];
    for (let i = 0; i < 3e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 5000) keep = []; }
    const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    console.log(space.space_size / 1048576);`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return Number(run.stdout.trim());
}

afterEach(() => vi.restoreAllMocks());

describe('heap tuning', () => {
  it('keeps the young generation small when set at run time (guards against a Node upgrade ignoring it)', () => {
    expect(youngGenAfterBurst([])).toBeGreaterThan(2);
    expect(youngGenAfterBurst(HEAP_FLAGS)).toBeLessThanOrEqual(2);
  });

  it('leaves alone a flag the user gave node, and lets bursts grow the young generation while held', () => {
    const set = vi.spyOn(v8, 'setFlagsFromString').mockImplementation(() => {});
    tuneHeap(['--heap-growing-percent=50'], '');
    expect(set.mock.calls.map((c) => c[0])).toEqual(['--semi-space-growth-factor=1']);
    set.mockClear();
    const first = roomToAllocate();
    const second = roomToAllocate();
    expect(set.mock.calls.map((c) => c[0])).toEqual(['--semi-space-growth-factor=2']);
    first();
    first();
    expect(set).toHaveBeenCalledTimes(1);
    second();
    expect(set.mock.calls.map((c) => c[0])).toEqual([
      '--semi-space-growth-factor=2',
      '--semi-space-growth-factor=1',
    ]);
  });
});
