import type { Logger } from '../../core/logger.js';

/**
 * The contract between the check scheduler and the check types. A driver probes once and
 * reports what it saw; thresholds, state, history and timing belong to the engine, so a
 * driver stays a few dozen lines. Registry: `drivers.ts`; shared contract: `contract.ts`.
 */

/** What one probe saw. `unknown` is never a probe result: it is the state before any. */
export type ProbeStatus = 'up' | 'down' | 'degraded';

export interface ProbeResult {
  status: ProbeStatus;
  /** One line a person reads: "HTTP 200 in 12 ms", "connection refused", "certificate expires in 9 days". */
  message: string;
  /** How long the probe's own work took, in milliseconds, when it measured one. */
  latencyMs?: number;
  /** Facts worth keeping with the result: status code, days left, free bytes … (never secrets). */
  details?: Record<string, string | number | boolean>;
}

export interface ProbeContext {
  /** Aborted when the check's timeout passes (or the daemon stops). The driver must then give up promptly and release sockets, children and handles. */
  signal: AbortSignal;
  /** The check's timeout in ms, for drivers that pass it on (a child's kill timer, a connect timeout). */
  timeoutMs: number;
  logger: Logger;
}

/**
 * A check type. `probe` never throws for a failing target — a refused connection, a bad
 * status, a failed query are all `{ status: 'down', message }`; it may throw only for a bug.
 * `C` is the parsed config of one check (its zod schema lives in the driver's folder).
 */
export interface CheckDriver<C> {
  probe(config: C, ctx: ProbeContext): Promise<ProbeResult>;
}
