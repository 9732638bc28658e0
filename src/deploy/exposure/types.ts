import type { EventBus } from '../../core/events.js';
import type { Logger } from '../../core/logger.js';
import type { ExposureRunRecord, ExposureRuns, ExposureTransition } from '../../store/exposure-runs.js';

/** A service's `exposure:` block, resolved (debounce in ms). */
export interface ExposureSpec {
  on_healthy?: string | undefined;
  on_unhealthy?: string | undefined;
  debounce: number;
}

export type ServiceHealth = ExposureTransition | 'unknown';

export interface ExposureAuditEntry {
  action: string;
  target: string;
  details: Record<string, unknown>;
}

export interface ExposureDeps {
  /** Read on every evaluation, so a config reload is seen without restarting the gate. */
  services: () => Record<string, { exposure?: ExposureSpec | undefined }>;
  /** The checks that decide a service's health, with their current state ('up' | 'down' | 'degraded' | 'unknown' …). */
  checksOf: (service: string) => { name: string; state: string }[];
  runs: ExposureRuns;
  events: EventBus;
  logger: Logger;
  /** Commands run here (the directory of steward.yaml). */
  cwd: string;
  audit?: (entry: ExposureAuditEntry) => void;
}

export interface ExposureStatus {
  service: string;
  health: ServiceHealth;
  /** The transition last applied successfully (null: never). */
  applied: ExposureTransition | null;
  /** A transition waiting out its debounce, and when it would run. */
  pending: { transition: ExposureTransition; at: string } | null;
  /** The command the current health calls for, when it differs from what is applied. */
  wouldRun: string | null;
  lastRun: ExposureRunRecord | null;
}

export interface Exposure {
  /** What each exposed service's health is now and which command would run (for --dry-run and status). */
  status(): ExposureStatus[];
  /** Re-evaluates every service now (after a config reload or a deployment going Live). */
  evaluate(): void;
  /** Cancels timers and waits for a running command. */
  stop(): Promise<void>;
}
