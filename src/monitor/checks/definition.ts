import type { Thresholds } from './state.js';
import type { ProbeContext, ProbeResult } from './types.js';

/**
 * One check as the engine and scheduler run it, whatever its type: built from the config by
 * `definitions.ts`. Active checks probe a target; passive ones (heartbeat, backup freshness)
 * judge stored facts and may return null for "no verdict yet".
 */
export interface CheckDefinition {
  name: string;
  type: string;
  service: string | null;
  labels: Record<string, string>;
  intervalMs: number;
  timeoutMs: number;
  thresholds: Thresholds;
  probe(ctx: ProbeContext): Promise<ProbeResult | null>;
  /** Judged from stored facts (heartbeat, backup freshness): a probe's duration is no latency of anything. */
  passive?: boolean;
  /** Heartbeat checks: the configured token (else generated) and the grace period. */
  heartbeat?: { token: string | null; graceMs: number };
}
