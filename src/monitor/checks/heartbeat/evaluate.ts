import type { PingKind } from '../../../store/index.js';
import type { ProbeResult } from '../types.js';

export interface HeartbeatFacts {
  /** The last success or fail ping. */
  lastPingAt: string | null;
  lastPingKind: PingKind | null;
  lastStartAt: string | null;
  createdAt: string;
}

export function formatAge(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.round(m / 60);
  return h < 72 ? `${h}h` : `${Math.round(h / 24)}d`;
}

/**
 * What a heartbeat check's pings say at `now`. Null while a new check waits for its first
 * ping within its grace period (it stays `unknown`, as Healthchecks.io shows "new").
 */
export function evaluateHeartbeat(facts: HeartbeatFacts, graceMs: number, now: number): ProbeResult | null {
  if (facts.lastPingKind === 'fail' && facts.lastPingAt) {
    return {
      status: 'down',
      message: `the job reported failure ${formatAge(now - Date.parse(facts.lastPingAt))} ago`,
    };
  }
  const startedAt =
    facts.lastPingKind === 'start' && facts.lastStartAt ? Date.parse(facts.lastStartAt) : null;
  if (startedAt !== null && now - startedAt > graceMs) {
    return {
      status: 'down',
      message: `started ${formatAge(now - startedAt)} ago and has not finished (grace ${formatAge(graceMs)})`,
    };
  }
  const last = facts.lastPingAt ? Date.parse(facts.lastPingAt) : null;
  const since = last ?? Date.parse(facts.createdAt);
  if (now - since > graceMs) {
    const what = last === null ? 'no ping since the check was created' : 'no ping';
    return { status: 'down', message: `${what} for ${formatAge(now - since)} (grace ${formatAge(graceMs)})` };
  }
  if (last === null) return null;
  const running = startedAt !== null ? `; running since ${formatAge(now - startedAt)} ago` : '';
  return { status: 'up', message: `last ping ${formatAge(now - last)} ago${running}` };
}
