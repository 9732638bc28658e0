import { StewardError } from '../../core/errors.js';
import { type Labels, type Matcher, matches } from './matchers.js';

/**
 * Silences: ad-hoc, time-bounded mutes created by people (CLI/API), as in Alertmanager. A
 * silenced alert still fires and is recorded; only its notifications are held back.
 */
export interface Silence {
  id: string;
  matchers: Matcher[];
  /** ISO-8601. */
  startsAt: string;
  /** ISO-8601; the silence ends just before this instant. */
  endsAt: string;
  comment: string;
  createdBy: string;
  /** Set when someone expires the silence early; ISO-8601. */
  expiredAt: string | null;
}

type SilenceTimes = Pick<Silence, 'startsAt' | 'endsAt' | 'expiredAt'>;

/**
 * The silence's [start, end) in ms. Expiring acts as an earlier end rather than a flag, so
 * asking about an instant before the expiry still gives the historical answer.
 */
function span(s: SilenceTimes): { start: number; end: number } {
  const start = Date.parse(s.startsAt);
  const end = Date.parse(s.endsAt);
  const expired = s.expiredAt === null ? Number.POSITIVE_INFINITY : Date.parse(s.expiredAt);
  // An unparseable time gives NaN, and every comparison with NaN is false: never active.
  return { start, end: Math.min(end, expired) };
}

/** startsAt ≤ now < endsAt, and not expired at or before now. */
export function silenceActive(s: SilenceTimes, nowMs: number): boolean {
  const { start, end } = span(s);
  return start <= nowMs && nowMs < end;
}

/** The silences active at `nowMs` whose matchers all hold for the labels. */
export function silencedBy(silences: readonly Silence[], labels: Labels, nowMs: number): Silence[] {
  return silences.filter((s) => silenceActive(s, nowMs) && matches(s.matchers, labels));
}

/**
 * The earliest instant after now at which some silence starts or ends, or null when none
 * will; the engine arms a timer there so held notifications resume exactly when a silence ends.
 */
export function nextSilenceChange(silences: readonly SilenceTimes[], nowMs: number): number | null {
  let next: number | null = null;
  for (const s of silences) {
    const { start, end } = span(s);
    if (!(start < end)) continue; // never active (or unparseable): nothing changes
    for (const t of [start, end]) {
      if (t > nowMs && (next === null || t < next)) next = t;
    }
  }
  return next;
}

/**
 * Alertmanager's rule for new silences: at least one matcher, and at least one that does not
 * match the empty string — otherwise the silence would mute every alert, a mistake far more
 * often than an intent.
 */
export function assertSilenceMatchers(matchers: readonly Matcher[]): void {
  if (matchers.length === 0) {
    throw new StewardError('E_USAGE', 'a silence needs at least one matcher', {
      hint: 'for example: alertname="DiskFull" or service=~"core|db"',
    });
  }
  if (matchers.every((m) => matches([m], {}))) {
    throw new StewardError('E_USAGE', 'every matcher of this silence also matches alerts without the label', {
      hint: 'add a matcher that requires a value, such as service="core" (a silence must not mute everything)',
    });
  }
}
