import type { CommandContext } from '../../core/context.js';
import { StewardError } from '../../core/errors.js';
import type { BrokerLogin } from '../connect.js';
import { isValidFilter } from '../topic-filter.js';
import { type ClearOutcome, clearRetained } from './clear.js';
import {
  type ClearSelection,
  type Inventory,
  type RetainedEntry,
  selectForClear,
  takeInventory,
} from './inventory.js';

function brokerLogin(ctx: CommandContext): BrokerLogin {
  const broker = ctx.config.mqtt.broker;
  if (!broker) {
    throw new StewardError('E_USAGE', 'no mqtt.broker: Steward knows no broker to read', {
      hint: 'add mqtt.broker: { url, username, password } (docs/mqtt.md)',
    });
  }
  return { url: broker.url, username: broker.username, password: broker.password };
}

function checkFilter(match: string | undefined): string {
  const filter = match ?? '#';
  if (!isValidFilter(filter)) {
    throw new StewardError('E_USAGE', `--match ${JSON.stringify(filter)} is not an MQTT topic filter`, {
      hint: 'use + for one level and # as the last level, e.g. --match "sensors/+/status" or "legacy/#"',
    });
  }
  return filter;
}

function inventory(ctx: CommandContext, match: string | undefined): Promise<Inventory> {
  const retained = ctx.config.mqtt.retained;
  return takeInventory({
    login: brokerLogin(ctx),
    sightings: ctx.store.mqttRetained,
    clock: ctx.clock,
    protect: retained?.protect ?? [],
    maxAgeMs: retained?.max_age,
    scan: { filter: checkFilter(match) },
  });
}

/** `steward mqtt retained list`: the broker's retained messages, with their age when Steward knows it. */
export function listRetained(ctx: CommandContext, opts: { match?: string } = {}): Promise<Inventory> {
  return inventory(ctx, opts.match);
}

export interface ClearReport extends Omit<ClearSelection, 'clear'> {
  dryRun: boolean;
  truncated: boolean;
  /** What a dry run would clear, or what was cleared / failed. */
  selected: RetainedEntry[];
  outcomes: ClearOutcome[];
  ok: boolean;
}

/**
 * `steward mqtt retained clear`: clears the retained messages under --match, and with
 * --older-than only those Steward knows to be at least that old. Protected topics never.
 */
export async function clearRetainedMessages(
  ctx: CommandContext,
  opts: { match?: string; olderThanMs?: number; dryRun?: boolean },
): Promise<ClearReport> {
  if (opts.match === undefined && opts.olderThanMs === undefined) {
    throw new StewardError('E_USAGE', 'say what to clear: --match FILTER, --older-than DURATION, or both', {
      hint: 'steward mqtt retained clear --match "legacy/#" --dry-run',
    });
  }
  const inv = await inventory(ctx, opts.match);
  const { clear, ...rest } = selectForClear(inv.entries, opts.olderThanMs);
  const dryRun = Boolean(opts.dryRun);
  const outcomes = dryRun
    ? []
    : await clearRetained(
        brokerLogin(ctx),
        clear.map((e) => e.topic),
      );
  const cleared = outcomes.filter((o) => o.result === 'cleared').map((o) => o.topic);
  if (cleared.length) ctx.store.mqttRetained.forget(cleared);
  if (!dryRun) {
    ctx.store.audit.append({
      actor: ctx.actor,
      action: 'mqtt.retained_clear',
      target: `mqtt:${opts.match ?? '#'}`,
      details: {
        match: opts.match ?? null,
        olderThanMs: opts.olderThanMs ?? null,
        cleared,
        failed: outcomes.filter((o) => o.result !== 'cleared').map((o) => o.topic),
        protectedSkipped: rest.protected.map((e) => e.topic),
      },
    });
  }
  return {
    ...rest,
    dryRun,
    truncated: inv.truncated,
    selected: clear,
    outcomes,
    ok: outcomes.every((o) => o.result === 'cleared'),
  };
}
