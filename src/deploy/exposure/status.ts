import type { ExposureTransition } from '../../store/exposure-runs.js';
import { commandFor, serviceHealth } from './health.js';
import type { ExposureDeps, ExposureStatus } from './types.js';

/** What the gate knows about one service beyond the store: nothing, for a dry run without a gate. */
export interface LiveExposureState {
  applied: ExposureTransition | null;
  running: ExposureTransition | null;
  pending: { transition: ExposureTransition; at: number } | null;
}

/**
 * Every exposed service's health, applied transition and the command its health calls for.
 * Without `live`, the applied transition comes from the store: what `--dry-run` shows before
 * (or without) a running daemon.
 */
export function exposureStatus(
  deps: Pick<ExposureDeps, 'services' | 'checksOf' | 'runs'>,
  live?: (service: string) => LiveExposureState,
): ExposureStatus[] {
  const out: ExposureStatus[] = [];
  for (const [service, svc] of Object.entries(deps.services())) {
    const spec = svc.exposure;
    if (!spec) continue;
    const state = live?.(service) ?? {
      applied: deps.runs.lastApplied(service),
      running: null,
      pending: null,
    };
    const health = serviceHealth(deps.checksOf(service));
    const effective = state.running ?? state.applied;
    out.push({
      service,
      health,
      applied: state.applied,
      pending: state.pending
        ? { transition: state.pending.transition, at: new Date(state.pending.at).toISOString() }
        : null,
      wouldRun: health === 'unknown' || health === effective ? null : (commandFor(spec, health) ?? null),
      lastRun: deps.runs.lastRun(service),
    });
  }
  return out.sort((a, b) => a.service.localeCompare(b.service));
}
