/**
 * From the two curves of a phase — the publisher's send time of every `every`-th message and
 * Steward's stored count polled over time — to rates and end-to-end lag. One publisher, and
 * both the broker and Steward keep its order, so message k is stored when the count reaches k + 1.
 */

/** [wall-clock ms, messages stored since the phase started], in poll order. */
export type Curve = [number, number][];

export interface LagStats {
  /** Messages whose lag was computed (every `every`-th). */
  n: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

/**
 * When the count first reached `count`, linearly interpolated between the last poll below it
 * and the first at or above it (the true moment lies between the two); NaN if it never did.
 */
export function timeToReach(curve: Curve, count: number): number {
  let lo = 0;
  let hi = curve.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((curve[mid] as [number, number])[1] < count) lo = mid + 1;
    else hi = mid;
  }
  const at = curve[lo];
  if (!at) return Number.NaN;
  const before = curve[lo - 1];
  if (!before) return at[0];
  const [t0, c0] = before;
  const [t1, c1] = at;
  return t0 + ((count - c0) / (c1 - c0)) * (t1 - t0);
}

/** Nearest rank: the ⌈p·n⌉-th smallest. */
export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1] as number;
}

/** Lag of message k·every = (stored count reached k·every + 1) − (its send time). */
export function lagStats(curve: Curve, stamps: readonly number[], every: number): LagStats {
  const lags: number[] = [];
  stamps.forEach((sentAt, i) => {
    const storedAt = timeToReach(curve, i * every + 1);
    if (Number.isFinite(storedAt)) lags.push(storedAt - sentAt);
  });
  lags.sort((a, b) => a - b);
  return {
    n: lags.length,
    p50Ms: quantile(lags, 0.5),
    p99Ms: quantile(lags, 0.99),
    maxMs: lags.at(-1) ?? Number.NaN,
    meanMs: lags.length ? lags.reduce((a, b) => a + b, 0) / lags.length : Number.NaN,
  };
}

/** Messages/s between 10 % and 90 % of `n` stored: the rate once started and before the tail. */
export function sustainedRate(curve: Curve, n: number): number {
  const a = timeToReach(curve, Math.ceil(0.1 * n));
  const b = timeToReach(curve, Math.ceil(0.9 * n));
  return b > a ? ((Math.ceil(0.9 * n) - Math.ceil(0.1 * n)) / (b - a)) * 1000 : Number.NaN;
}

/** Intervals between polls, ms: the resolution of the stored curve. */
export function pollIntervals(curve: Curve): { meanMs: number; p99Ms: number; maxMs: number } {
  const gaps: number[] = [];
  for (let i = 1; i < curve.length; i++)
    gaps.push((curve[i] as [number, number])[0] - (curve[i - 1] as [number, number])[0]);
  gaps.sort((a, b) => a - b);
  return {
    meanMs: gaps.length ? gaps.reduce((a, b) => a + b, 0) / gaps.length : Number.NaN,
    p99Ms: quantile(gaps, 0.99),
    maxMs: gaps.at(-1) ?? Number.NaN,
  };
}

/** The curve thinned to at most `max` points (first and last kept), for the results file. */
export function thin(curve: Curve, max: number): Curve {
  if (curve.length <= max) return curve;
  const step = (curve.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => curve[Math.round(i * step)] as [number, number]);
}
