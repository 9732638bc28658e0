import type { ExposureTransition } from '../../store/exposure-runs.js';
import type { ExposureSpec, ServiceHealth } from './types.js';

/**
 * A service's health from its deciding checks: any check that is neither 'up' nor 'unknown'
 * (down, degraded…) makes it unhealthy; all 'up' makes it healthy; otherwise there is no
 * verdict yet (no checks, or some still unknown) and nothing should run.
 */
export function serviceHealth(checks: readonly { state: string }[]): ServiceHealth {
  if (checks.length === 0) return 'unknown';
  if (checks.some((c) => c.state !== 'up' && c.state !== 'unknown')) return 'unhealthy';
  return checks.every((c) => c.state === 'up') ? 'healthy' : 'unknown';
}

/** The command configured for a transition, or undefined when there is none (nothing runs, nothing is recorded). */
export function commandFor(spec: ExposureSpec, transition: ExposureTransition): string | undefined {
  const command = transition === 'healthy' ? spec.on_healthy : spec.on_unhealthy;
  return command?.trim() ? command : undefined;
}
