import type { ProbeStatus } from './types.js';

/** A check's state: what the thresholds make of its probes. `unknown` until enough probes say otherwise. */
export const checkStates = ['up', 'down', 'degraded', 'unknown'] as const;
export type CheckState = (typeof checkStates)[number];

/** The streaks the thresholds are applied to; persisted so a restart carries on mid-streak. */
export interface Streaks {
  /** Consecutive `up` probes. */
  up: number;
  /** Consecutive `down` probes. */
  down: number;
  /** Consecutive probes that were not `up` (degraded or down). */
  bad: number;
  /** Consecutive probes that were not `down` (up or degraded). */
  notDown: number;
}

export const noStreaks: Streaks = { up: 0, down: 0, bad: 0, notDown: 0 };

export interface Thresholds {
  failure: number;
  success: number;
}

export function nextStreaks(s: Streaks, status: ProbeStatus): Streaks {
  return {
    up: status === 'up' ? s.up + 1 : 0,
    down: status === 'down' ? s.down + 1 : 0,
    bad: status === 'up' ? 0 : s.bad + 1,
    notDown: status === 'down' ? 0 : s.notDown + 1,
  };
}

/**
 * The state after one more probe, given the streaks including it. One blip does not flap:
 * - `down` needs `failure` consecutive down probes;
 * - `up` needs `success` consecutive up probes;
 * - `degraded` from up/unknown needs `failure` consecutive bad probes, the latest not up;
 *   from down it needs `success` consecutive probes that were not down (recovering, not well).
 * Otherwise the state stays as it is.
 */
export function nextState(
  current: CheckState,
  streaks: Streaks,
  status: ProbeStatus,
  t: Thresholds,
): CheckState {
  if (streaks.down >= t.failure) return 'down';
  if (streaks.up >= t.success) return 'up';
  if (status === 'degraded' || status === 'down') {
    if ((current === 'up' || current === 'unknown') && streaks.bad >= t.failure) return 'degraded';
    if (current === 'down' && status === 'degraded' && streaks.notDown >= t.success) return 'degraded';
  }
  return current;
}
