import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Conditions } from './conditions.js';
import { compileRule } from './rules/compile.js';

const rule = compileRule('hot', {
  metric: 'temp',
  labels: {},
  op: '>',
  value: 90,
  for: 60_000,
  keep_firing_for: 120_000,
  severity: 'warning',
  extra_labels: {},
});
const labels = { alertname: 'hot', site: 'north' };

describe('conditions: for and keep_firing_for', () => {
  let events: string[];
  let c: Conditions;
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
    events = [];
    c = new Conditions({ fire: () => events.push('fire'), resolve: () => events.push('resolve') }, () =>
      Date.now(),
    );
  });
  afterEach(() => {
    c.stop();
    vi.useRealTimers();
  });
  const sample = (value: number) =>
    c.update({ rule, labels, active: value > 90, value, message: `temp=${value}` });

  it('fires only after the condition held for `for`, on a timer, without another sample', () => {
    sample(95);
    vi.advanceTimersByTime(59_999);
    expect(events).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(events).toEqual(['fire']);
  });

  it('does not fire when the condition clears within `for`', () => {
    sample(95);
    vi.advanceTimersByTime(30_000);
    sample(80);
    vi.advanceTimersByTime(120_000);
    expect(events).toEqual([]);
  });

  it('a value hovering at the threshold does not flap: keep_firing_for holds it', () => {
    sample(95);
    vi.advanceTimersByTime(60_000);
    for (let i = 0; i < 10; i++) {
      sample(i % 2 ? 91 : 89); // crossing back and forth every 10 s
      vi.advanceTimersByTime(10_000);
    }
    expect(events).toEqual(['fire']);
    sample(80);
    vi.advanceTimersByTime(119_999);
    expect(events).toEqual(['fire']);
    vi.advanceTimersByTime(1);
    expect(events).toEqual(['fire', 'resolve']);
  });
});
