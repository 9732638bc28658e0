import type { CommandContext } from '../core/context.js';
import { StewardError } from '../core/errors.js';
import type {
  AlertEvent,
  AlertLifecycleState,
  AlertRecord,
  DeliveryRecord,
  SilenceRecord,
} from '../store/index.js';
import { channelDriverFor } from './channels/index.js';
import { ChannelError } from './channels/types.js';
import type { AlertsConfig } from './config-schema.js';
import { DELIVERY_TIMEOUT_MS, DeliveryWorker } from './delivery.js';
import { AlertEngine } from './engine.js';
import { Notifier } from './notifier.js';
import { testNotification } from './render.js';
import { routesFor } from './routing.js';
import { activeRules } from './rules/active.js';
import { renderTemplate } from './rules/template.js';
import { assertSilenceMatchers, parseMatcher } from './suppression/index.js';

const alertsOf = (ctx: CommandContext) => ctx.config.alerts as AlertsConfig;

/** The engine to act through: the daemon's own when called inside it, else one on the store whose notifications the daemon sends. */
export interface LiveAlerting {
  engine: AlertEngine;
  notifier: Notifier;
}

function offlineAlerting(ctx: CommandContext): LiveAlerting {
  // Deliveries queued here are sent by the daemon's worker (it picks up the queue); this
  // process only writes them.
  const worker = new DeliveryWorker({
    store: ctx.store,
    clock: ctx.clock,
    logger: ctx.logger,
    channels: () => alertsOf(ctx).channels,
  });
  worker.kick = () => {};
  const notifier = new Notifier({
    store: ctx.store,
    clock: ctx.clock,
    logger: ctx.logger,
    config: () => alertsOf(ctx),
    worker,
    source: ctx.config.name ?? 'steward',
    baseUrl: null,
  });
  const engine = new AlertEngine({ store: ctx.store, clock: ctx.clock, logger: ctx.logger, notifier });
  engine.load();
  return { engine, notifier };
}

export function listAlerts(
  ctx: CommandContext,
  opts: { states?: AlertLifecycleState[]; limit?: number } = {},
): AlertRecord[] {
  return ctx.store.alerts.list({ ...(opts.states ? { states: opts.states } : {}), limit: opts.limit ?? 100 });
}

export interface AlertTimeline {
  alert: AlertRecord;
  transitions: AlertEvent[];
  deliveries: Omit<DeliveryRecord, 'payload'>[];
}

export function showAlert(ctx: CommandContext, ref: string): AlertTimeline {
  const alert = ctx.store.alerts.require(ref);
  return {
    alert,
    transitions: ctx.store.alerts.events(alert.id),
    deliveries: ctx.store.deliveries.forAlert(alert.id).map(({ payload: _payload, ...rest }) => rest),
  };
}

/** Acknowledge or close, through the daemon's engine when given, else through one on the store. */
function actOn(
  verb: 'acknowledge' | 'close',
  ctx: CommandContext,
  ref: string,
  comment: string | null,
  live?: LiveAlerting,
): AlertRecord {
  const alerting = live ?? offlineAlerting(ctx);
  try {
    return alerting.engine[verb](ref, ctx.actor, comment);
  } finally {
    if (!live) alerting.notifier.stop();
  }
}

export const ackAlert = (ctx: CommandContext, ref: string, comment: string | null, live?: LiveAlerting) =>
  actOn('acknowledge', ctx, ref, comment, live);

export const closeAlert = (ctx: CommandContext, ref: string, comment: string | null, live?: LiveAlerting) =>
  actOn('close', ctx, ref, comment, live);

export function addSilence(
  ctx: CommandContext,
  input: { matchers: string[]; forMs?: number; startsAt?: string; endsAt?: string; comment: string },
  live?: LiveAlerting,
): SilenceRecord {
  const matchers = input.matchers.map(parseMatcher);
  assertSilenceMatchers(matchers);
  if (!input.comment.trim())
    throw new StewardError('E_USAGE', 'a silence needs a comment', {
      hint: 'say why: --comment "disk swap, ticket 42"',
    });
  const now = ctx.clock.now().getTime();
  const startsAt = input.startsAt ? new Date(input.startsAt).toISOString() : new Date(now).toISOString();
  const endsAt = input.endsAt
    ? new Date(input.endsAt).toISOString()
    : new Date(Date.parse(startsAt) + (input.forMs ?? 3_600_000)).toISOString();
  const silence = ctx.store.silences.create({
    matchers,
    startsAt,
    endsAt,
    comment: input.comment,
    createdBy: ctx.actor,
  });
  ctx.store.audit.append({
    actor: ctx.actor,
    action: 'silence.created',
    target: `silence:${silence.id}`,
    details: { matchers: input.matchers, startsAt, endsAt, comment: input.comment },
  });
  live?.notifier.reconcile();
  return silence;
}

export function expireSilence(ctx: CommandContext, ref: string, live?: LiveAlerting): SilenceRecord {
  const silence = ctx.store.silences.expire(ctx.store.silences.require(ref).id, ctx.actor);
  ctx.store.audit.append({ actor: ctx.actor, action: 'silence.expired', target: `silence:${silence.id}` });
  live?.notifier.reconcile();
  return silence;
}

export interface TestResult {
  channel: string;
  ok: boolean;
  detail: string;
}

/**
 * `steward alerts test <channel|rule>`: a notification marked as a test, sent now to the
 * channel (or the channels the rule's alerts are routed to), each recorded as a delivery.
 */
export async function sendTest(ctx: CommandContext, target: string): Promise<TestResult[]> {
  const config = alertsOf(ctx);
  const rule = activeRules(config).find((r) => r.name === target);
  let channels: string[];
  let labels: Record<string, string> = { alertname: target, severity: 'info' };
  if (config.channels[target]) channels = [target];
  else if (rule) {
    labels = { alertname: rule.name, severity: rule.severity, ...rule.extraLabels };
    channels = [...new Set(routesFor(config, labels).flatMap((r) => r.channels))];
    if (!channels.length)
      throw new StewardError('E_CONFIG', `no route sends alerts of rule ${target} anywhere`, {
        hint: 'add a route whose match covers it',
      });
  } else {
    throw new StewardError('E_NOT_FOUND', `no channel or rule named ${target}`, {
      hint: `channels: ${Object.keys(config.channels).join(', ') || '(none)'}`,
    });
  }
  const summary = rule
    ? renderTemplate(rule.summary, { rule: rule.name, value: null, message: 'test', labels })
    : `test of channel ${target}`;
  const notification = testNotification(ctx.config.name ?? 'steward', summary, ctx.clock.now(), {
    rule: rule?.name ?? 'test',
    severity: rule?.severity ?? 'info',
    labels,
    runbook: rule?.runbook ?? null,
    description: `sent by ${ctx.actor} with steward alerts test`,
  });
  const results: TestResult[] = [];
  for (const channel of channels) {
    const channelConfig = config.channels[channel];
    if (!channelConfig) continue;
    const [delivery] = ctx.store.deliveries.enqueue({
      notificationId: notification.id,
      kind: 'test',
      alertIds: [],
      payload: notification,
      channels: [channel],
    });
    try {
      const receipt = await channelDriverFor(channelConfig).send(channelConfig, notification, {
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
        logger: ctx.logger,
      });
      if (delivery) ctx.store.deliveries.markSent(delivery.id);
      results.push({ channel, ok: true, detail: receipt.detail });
    } catch (err) {
      const message = err instanceof ChannelError ? err.message : String(err);
      if (delivery) ctx.store.deliveries.markFailed(delivery.id, message, null);
      results.push({ channel, ok: false, detail: message });
    }
  }
  ctx.store.audit.append({
    actor: ctx.actor,
    action: 'alerts.test',
    target,
    details: { results: results.map((r) => ({ channel: r.channel, ok: r.ok })) },
  });
  return results;
}
