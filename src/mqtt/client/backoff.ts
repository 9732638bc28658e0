/**
 * Doubling delay with ±20 % jitter, so a fleet of clients that lost the same broker does not
 * reconnect in lock-step. `attempt` starts at 1.
 */
export function backoffDelay(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random = Math.random,
): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.min(attempt - 1, 30));
  const jittered = base * (0.8 + 0.4 * random());
  return Math.max(1, Math.round(Math.min(maxMs, jittered)));
}
