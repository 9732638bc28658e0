import type { CheckState } from './state.js';

export interface CheckStateChanged {
  check: string;
  type: string;
  service: string | null;
  labels: Record<string, string>;
  from: CheckState;
  to: CheckState;
  /** The probe message that made the change: "HTTP 503 (expected 200)", "no ping for 27h (grace 26h)". */
  reason: string;
  at: string;
}

declare module '../../core/events.js' {
  interface StewardEvents {
    'check.state_changed': CheckStateChanged;
  }
}
