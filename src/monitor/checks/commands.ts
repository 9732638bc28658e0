import type { CommandContext } from '../../core/context.js';
import { StewardError } from '../../core/errors.js';
import type { CheckRecord, StateChange } from '../../store/index.js';
import type { CheckDefinition } from './definition.js';
import { checkDefinitions } from './definitions.js';
import type { CheckState } from './state.js';
import type { ProbeResult } from './types.js';

/** A check as the API and CLI show it (never with its heartbeat token). */
export interface CheckView {
  name: string;
  type: string;
  service: string | null;
  labels: Record<string, string>;
  state: CheckState;
  since: string;
  intervalMs: number;
  last: { status: string; message: string; latencyMs: number | null; at: string } | null;
  lastPing: { kind: string; at: string | null; startedAt: string | null } | null;
}

export function checkView(def: CheckDefinition, record: CheckRecord | undefined): CheckView {
  return {
    name: def.name,
    type: def.type,
    service: def.service,
    labels: def.labels,
    state: record?.state ?? 'unknown',
    since: record?.stateSince ?? '',
    intervalMs: def.intervalMs,
    last:
      record?.lastStatus && record.lastCheckedAt
        ? {
            status: record.lastStatus,
            message: record.lastMessage ?? '',
            latencyMs: record.lastLatencyMs,
            at: record.lastCheckedAt,
          }
        : null,
    lastPing: record?.lastPingKind
      ? { kind: record.lastPingKind, at: record.lastPingAt, startedAt: record.lastStartAt }
      : null,
  };
}

/** The live view the daemon holds, when the caller runs inside it. */
export interface LiveChecks {
  get(name: string): CheckRecord | undefined;
}

/** Configured checks with their state: from the daemon's memory when given, else from the store. */
export function listChecks(ctx: CommandContext, live?: LiveChecks): CheckView[] {
  const stored = new Map(ctx.store.checks.list().map((r) => [r.name, r]));
  return checkDefinitions(ctx.config, ctx.store, ctx.clock)
    .map((def) => checkView(def, live?.get(def.name) ?? stored.get(def.name)))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function requireDefinition(ctx: CommandContext, name: string): CheckDefinition {
  const def = checkDefinitions(ctx.config, ctx.store, ctx.clock).find((d) => d.name === name);
  if (!def) {
    throw new StewardError('E_NOT_FOUND', `no check named ${name}`, {
      hint: 'steward checks list shows the configured checks',
    });
  }
  return def;
}

export function checkHistory(
  ctx: CommandContext,
  name: string,
  opts: { limit?: number; beforeId?: number } = {},
): { check: string; changes: StateChange[] } {
  if (!ctx.store.checks.get(name)) requireDefinition(ctx, name);
  return { check: name, changes: ctx.store.checks.history(name, opts) };
}

/**
 * Probes one check once, here and now, with its timeout; the result is printed, not
 * recorded (the daemon's own probes own the state). Null: a passive check has no verdict yet.
 */
export async function probeOnce(ctx: CommandContext, name: string): Promise<ProbeResult | null> {
  const def = requireDefinition(ctx, name);
  const signal = AbortSignal.timeout(def.timeoutMs);
  const started = performance.now();
  const timedOut = new Promise<ProbeResult>((resolve) =>
    signal.addEventListener('abort', () =>
      resolve({ status: 'down', message: `timed out after ${def.timeoutMs} ms` }),
    ),
  );
  const result = await Promise.race([
    def.probe({ signal, timeoutMs: def.timeoutMs, logger: ctx.logger }),
    timedOut,
  ]);
  if (result && result.latencyMs === undefined && result.status !== 'down') {
    return { ...result, latencyMs: performance.now() - started };
  }
  return result;
}

/** The ping URLs of a heartbeat check: a secret, shown only to someone with the store in hand. */
export function heartbeatUrls(
  ctx: CommandContext,
  name: string,
): { ping: string; start: string; fail: string } {
  const def = requireDefinition(ctx, name);
  const record = ctx.store.checks.get(name);
  if (!def.heartbeat) throw new StewardError('E_USAGE', `${name} is a ${def.type} check, not a heartbeat`);
  const token = def.heartbeat.token ?? record?.heartbeatToken;
  if (!token) {
    throw new StewardError('E_NOT_FOUND', `${name} has no ping token yet`, {
      hint: 'the daemon creates it when it starts with this check configured',
    });
  }
  const base = `http://${ctx.config.server.listen}/api/v1/heartbeat/${token}`;
  return { ping: base, start: `${base}/start`, fail: `${base}/fail` };
}
