import { describe, expect, it } from 'vitest';
import {
  type CheckState,
  nextState,
  nextStreaks,
  noStreaks,
  type Streaks,
  type Thresholds,
} from './state.js';
import type { ProbeStatus } from './types.js';

/** Feeds probes through the thresholds and returns the state after each. */
function run(probes: ProbeStatus[], t: Thresholds, start: CheckState = 'unknown'): CheckState[] {
  let state = start;
  let streaks: Streaks = noStreaks;
  return probes.map((status) => {
    streaks = nextStreaks(streaks, status);
    state = nextState(state, streaks, status, t);
    return state;
  });
}

const defaults = { failure: 2, success: 1 };

describe('check state thresholds', () => {
  it('goes up on the first good probe and down only after failure_threshold bad ones', () => {
    expect(run(['up', 'down', 'down', 'down'], defaults)).toEqual(['up', 'up', 'down', 'down']);
  });

  it('stays unknown until a threshold is met', () => {
    expect(run(['down', 'down'], defaults)).toEqual(['unknown', 'down']);
  });

  it('does not flap on an alternating target', () => {
    const alternating: ProbeStatus[] = Array.from({ length: 20 }, (_, i) => (i % 2 ? 'down' : 'up'));
    const states = run(alternating, defaults);
    expect(new Set(states)).toEqual(new Set(['up']));
  });

  it('needs success_threshold good probes to recover', () => {
    expect(run(['down', 'down', 'up', 'up', 'down', 'up', 'up', 'up'], { failure: 2, success: 3 })).toEqual([
      'unknown',
      'down',
      'down',
      'down',
      'down',
      'down',
      'down',
      'up',
    ]);
  });

  it('marks a check degraded after failure_threshold non-up probes, the latest degraded', () => {
    expect(run(['up', 'degraded', 'degraded', 'up'], defaults)).toEqual(['up', 'up', 'degraded', 'up']);
    expect(run(['up', 'degraded', 'down', 'down'], defaults)).toEqual(['up', 'up', 'degraded', 'down']);
  });

  it('goes from down to degraded only after success_threshold probes that were not down', () => {
    expect(run(['degraded', 'degraded', 'up', 'up'], { failure: 1, success: 2 }, 'down')).toEqual([
      'down',
      'degraded',
      'degraded',
      'up',
    ]);
  });

  it('with thresholds of 1 follows every probe', () => {
    expect(run(['down', 'up', 'degraded', 'down'], { failure: 1, success: 1 })).toEqual([
      'down',
      'up',
      'degraded',
      'down',
    ]);
  });
});
