import type { CommandContext } from '../core/context.js';
import { StewardError } from '../core/errors.js';
import type { QuarantineRecord } from '../store/mqtt-quarantine.js';
import { type AclReport, proveAcl } from './check/index.js';
import { type ApplyMosquittoResult, applyMosquitto } from './mosquitto/index.js';
import { runSelftest, type SelftestResult } from './selftest/index.js';

/**
 * `steward mqtt apply`: the passwd, acl and conf snippet of the local Mosquitto from
 * `mqtt.mosquitto`, written atomically (only what changed), then the broker reloaded.
 * Results never carry a password or a hash.
 */
export async function applyMqttAuth(
  ctx: CommandContext,
  opts: { dryRun?: boolean } = {},
): Promise<ApplyMosquittoResult> {
  const m = ctx.config.mqtt.mosquitto;
  if (!m) {
    throw new StewardError('E_USAGE', 'no mqtt.mosquitto section: Steward manages no broker here', {
      hint: 'add mqtt.mosquitto: { dir, users, … } (docs/mqtt.md)',
    });
  }
  const result = await applyMosquitto({
    dir: m.dir,
    users: Object.entries(m.users).map(([name, u]) => ({ name, password: u.password, acl: [...u.acl] })),
    patterns: [...m.patterns],
    listeners: m.listeners.map((l) => ({ port: l.port, bind: l.bind })),
    ...(m.reload
      ? { reload: 'pid_file' in m.reload ? { pidFile: m.reload.pid_file } : { command: m.reload.command } }
      : {}),
    iterations: m.iterations,
    dryRun: opts.dryRun ?? false,
  });
  if (!opts.dryRun) {
    ctx.store.audit.append({
      actor: ctx.actor,
      action: 'mqtt.apply',
      target: `mosquitto:${m.dir}`,
      details: {
        files: result.files.filter((f) => f.changed).map((f) => f.path),
        usersChanged: result.usersChanged,
        usersRemoved: result.usersRemoved,
        reloaded: result.reloaded,
      },
    });
  }
  return result;
}

export function listQuarantine(
  ctx: CommandContext,
  opts: { limit?: number; topic?: string } = {},
): QuarantineRecord[] {
  return ctx.store.mqttQuarantine.list({
    limit: opts.limit ?? 50,
    ...(opts.topic ? { topic: opts.topic } : {}),
  });
}

/** `steward mqtt selftest`: publish a tagged message and wait until the daemon has stored it. */
export async function mqttSelftest(
  ctx: CommandContext,
  opts: { timeoutMs?: number } = {},
): Promise<SelftestResult> {
  const { broker, ingest, selftest } = ctx.config.mqtt;
  if (!broker) {
    throw new StewardError('E_USAGE', 'no mqtt.broker: there is no pipeline to test', {
      hint: 'add mqtt.broker and an mqtt.ingest rule (docs/mqtt.md)',
    });
  }
  return runSelftest({
    login: { url: broker.url, username: broker.username, password: broker.password },
    rules: ingest,
    settings: selftest,
    timeoutMs: opts.timeoutMs ?? selftest?.timeout ?? 10_000,
    metrics: ctx.store.metrics,
  });
}

/**
 * `steward mqtt check`: logs in as every user of mqtt.mosquitto and proves each ACL rule on
 * the running broker (mqtt.broker.url, else the first listener). The snippet Steward writes
 * says allow_anonymous false, so an anonymous login must be refused.
 */
export function checkMqttAcl(ctx: CommandContext, opts: { waitMs?: number } = {}): Promise<AclReport> {
  const m = ctx.config.mqtt.mosquitto;
  if (!m) {
    throw new StewardError('E_USAGE', 'no mqtt.mosquitto section: there are no users and ACLs to prove', {
      hint: 'add mqtt.mosquitto: { dir, users, … } (docs/mqtt.md)',
    });
  }
  const listener = m.listeners[0];
  const host = !listener || ['0.0.0.0', '::', ''].includes(listener.bind) ? '127.0.0.1' : listener.bind;
  const url =
    ctx.config.mqtt.broker?.url ??
    `mqtt://${host.includes(':') ? `[${host}]` : host}:${listener?.port ?? 1883}`;
  return proveAcl({
    url,
    users: Object.entries(m.users).map(([name, u]) => ({ name, password: u.password, acl: [...u.acl] })),
    patterns: [...m.patterns],
    anonymousAllowed: false,
    ...(opts.waitMs !== undefined ? { waitMs: opts.waitMs } : {}),
  });
}
