import type { ContainerObservation } from './observe.js';

/** The labels Steward puts on the containers it deploys. */
export const stewardLabels = {
  deployment: 'io.steward.deployment',
  configHash: 'io.steward.config-hash',
  service: 'io.steward.service',
} as const;

export type ComposeVerdict = 'healthy' | 'pending' | 'failed';

export interface VerdictOptions {
  /** Milliseconds since the epoch; default now. */
  now?: number;
  /**
   * How long a container that has restarted before must stay up to count: a crash loop spends
   * part of its time "running", and a glimpse of that must not pass the gate. Default 10 s.
   */
  settleMs?: number;
}

type ServiceVerdict = { verdict: ComposeVerdict; reason: string };

const DEFAULT_SETTLE_MS = 10_000;

function failure(c: ContainerObservation): string | null {
  if (c.state === 'exited' || c.state === 'dead') {
    return `container ${c.name} ${c.state}${c.exitCode === null ? '' : ` with code ${c.exitCode}`}`;
  }
  if (c.state === 'restarting' && c.restartCount > 0) {
    return `container ${c.name} is crash-looping (restarted ${c.restartCount} times, last exit code ${c.exitCode ?? '?'})`;
  }
  if (c.health === 'unhealthy') return `container ${c.name} is ${c.state} but unhealthy`;
  return null;
}

function judgeService(
  service: string,
  all: readonly ContainerObservation[],
  configHash: string,
  now: number,
  settleMs: number,
): ServiceVerdict {
  const mine = all.filter((c) => c.service === service);
  if (mine.length === 0) return { verdict: 'pending', reason: `${service}: no container yet` };
  // Containers of an earlier configuration are on their way out; only the expected one is judged.
  const current = mine.filter((c) => c.labels[stewardLabels.configHash] === configHash);
  if (current.length === 0) {
    const seen = [...new Set(mine.map((c) => c.labels[stewardLabels.configHash] ?? 'none'))].join(', ');
    return {
      verdict: 'pending',
      reason: `${service}: waiting for a container with config hash ${configHash} (running: ${seen})`,
    };
  }
  const failed = current.map(failure).find((f) => f !== null);
  if (failed) return { verdict: 'failed', reason: `${service}: ${failed}` };

  let waiting = `${service}: no running container yet (${current.map((c) => `${c.name} ${c.state}`).join(', ')})`;
  for (const c of current) {
    if (c.state !== 'running') continue;
    if (c.health === 'starting') {
      waiting = `${service}: container ${c.name} is running, healthcheck starting`;
      continue;
    }
    const started = c.startedAt === null ? Number.NaN : Date.parse(c.startedAt);
    if (c.restartCount > 0 && !(now - started >= settleMs)) {
      waiting = `${service}: container ${c.name} restarted ${c.restartCount} times; waiting to see it stay up`;
      continue;
    }
    const how = c.health === 'healthy' ? 'running and healthy' : 'running (no healthcheck)';
    return { verdict: 'healthy', reason: `${service}: container ${c.name} ${how}` };
  }
  return { verdict: 'pending', reason: waiting };
}

/**
 * The deploy gate's verdict: 'healthy' only when every expected service has a running container
 * of the expected config hash that is healthy (or has no healthcheck); 'failed' as soon as one
 * of those containers has exited, died, crash-loops or is unhealthy; 'pending' otherwise.
 */
export function composeVerdict(
  obs: readonly ContainerObservation[],
  expected: { services: string[]; configHash: string },
  opts: VerdictOptions = {},
): { verdict: ComposeVerdict; reason: string } {
  if (expected.services.length === 0) {
    // Nothing to judge is a caller's mistake; passing it would let an empty deploy go live.
    return { verdict: 'failed', reason: 'no services to judge' };
  }
  const now = opts.now ?? Date.now();
  const settleMs = opts.settleMs ?? DEFAULT_SETTLE_MS;
  const judged = expected.services.map((s) => judgeService(s, obs, expected.configHash, now, settleMs));
  const failed = judged.filter((j) => j.verdict === 'failed');
  if (failed.length > 0) return { verdict: 'failed', reason: failed.map((j) => j.reason).join('; ') };
  const pending = judged.filter((j) => j.verdict === 'pending');
  if (pending.length > 0) return { verdict: 'pending', reason: pending.map((j) => j.reason).join('; ') };
  return {
    verdict: 'healthy',
    reason:
      judged.length === 1
        ? (judged[0]?.reason ?? '')
        : `all ${judged.length} services running and healthy (${expected.services.join(', ')})`,
  };
}
