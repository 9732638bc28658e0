import { z } from 'zod';
import type { FieldContext } from '../../config/fields.js';
import { commandCheck } from './command/index.js';
import { commandCheckSchema } from './command/schema.js';
import { diskCheck } from './disk/index.js';
import { diskCheckSchema } from './disk/schema.js';
import { dockerCheck } from './docker/index.js';
import { dockerCheckSchema } from './docker/schema.js';
import { heartbeatCheckSchema } from './heartbeat/schema.js';
import { httpCheck } from './http/index.js';
import { httpCheckSchema } from './http/schema.js';
import { mqttSelftestCheckSchema } from './mqtt-selftest/schema.js';
import { postgresCheck } from './postgres/index.js';
import { postgresCheckSchema } from './postgres/schema.js';
import { sqliteCheck } from './sqlite/index.js';
import { sqliteCheckSchema } from './sqlite/schema.js';
import { tcpCheck } from './tcp/index.js';
import { tcpCheckSchema } from './tcp/schema.js';
import { tlsCheck } from './tls/index.js';
import { tlsCheckSchema } from './tls/schema.js';
import type { CheckDriver } from './types.js';

/**
 * The check types. Adding one: its folder (schema.ts, index.ts, a test that runs the shared
 * contract), one line in `checkConfigSchema` and one in `probeDrivers`. Heartbeat checks are
 * judged from their pings, not probed, so they have a schema and no driver; the MQTT self-test
 * is built in definitions.ts.
 */
export function checkConfigSchema(ctx: FieldContext) {
  return z
    .discriminatedUnion('type', [
      httpCheckSchema(ctx),
      tcpCheckSchema(ctx),
      tlsCheckSchema(ctx),
      heartbeatCheckSchema(ctx),
      diskCheckSchema(ctx),
      sqliteCheckSchema(ctx),
      postgresCheckSchema(ctx),
      dockerCheckSchema(ctx),
      commandCheckSchema(ctx),
      mqttSelftestCheckSchema(ctx),
    ])
    .meta({ description: 'A health check; `type` says what it probes.' });
}

export type CheckConfig = z.output<ReturnType<typeof checkConfigSchema>>;
export type CheckType = CheckConfig['type'];
/** Heartbeats are judged from pings; the MQTT self-test needs the store and the config (definitions.ts). */
export type ProbedCheckType = Exclude<CheckType, 'heartbeat' | 'mqtt-selftest'>;
export type CheckConfigOf<T extends CheckType> = Extract<CheckConfig, { type: T }>;

export const probeDrivers = {
  http: httpCheck,
  tcp: tcpCheck,
  tls: tlsCheck,
  disk: diskCheck,
  sqlite: sqliteCheck,
  postgres: postgresCheck,
  docker: dockerCheck,
  command: commandCheck,
} satisfies { [T in ProbedCheckType]: CheckDriver<CheckConfigOf<T>> };

/** The driver for one parsed check config, typed to take exactly that config. */
export function probeDriverFor<C extends CheckConfigOf<ProbedCheckType>>(config: C): CheckDriver<C> {
  // Sound by construction: probeDrivers maps each type to the driver of that type's config.
  return probeDrivers[config.type] as unknown as CheckDriver<C>;
}
