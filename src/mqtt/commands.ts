import type { CommandContext } from '../core/context.js';
import { StewardError } from '../core/errors.js';
import type { QuarantineRecord } from '../store/mqtt-quarantine.js';
import { type ApplyMosquittoResult, applyMosquitto } from './mosquitto/index.js';

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
