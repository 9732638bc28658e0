import { z } from 'zod';
import type { FieldContext } from '../../config/fields.js';
import type { SourceDriver } from '../types.js';
import { commandSource } from './command/index.js';
import { commandSourceSchema } from './command/schema.js';
import { dockerVolumeSource, dockerVolumeSourceSchema } from './docker-volume/index.js';
import { pathSource } from './path/index.js';
import { pathSourceSchema } from './path/schema.js';
import { postgresSource } from './postgres/index.js';
import { postgresSourceSchema } from './postgres/schema.js';
import { sqliteSource } from './sqlite/index.js';
import { sqliteSourceSchema } from './sqlite/schema.js';

/**
 * The backup source types. Adding one: its folder (driver + schema), one line in
 * `sourceConfigSchema` and one in `sourceDrivers`, and a fixture in contract.test.ts.
 */
export function sourceConfigSchema(ctx: FieldContext) {
  return z
    .discriminatedUnion('type', [
      sqliteSourceSchema(ctx),
      postgresSourceSchema(ctx),
      pathSourceSchema(ctx),
      commandSourceSchema(ctx),
      dockerVolumeSourceSchema(ctx),
    ])
    .meta({
      description: 'What to back up: a database, a directory, a Docker volume, or the output of a command.',
    });
}

export type SourceConfig = z.output<ReturnType<typeof sourceConfigSchema>>;
export type SourceType = SourceConfig['type'];
export type SourceConfigOf<T extends SourceType> = Extract<SourceConfig, { type: T }>;

export const sourceDrivers = {
  sqlite: sqliteSource,
  postgres: postgresSource,
  path: pathSource,
  command: commandSource,
  'docker-volume': dockerVolumeSource,
} satisfies { [T in SourceType]: SourceDriver<SourceConfigOf<T>> };

/** The driver for one parsed source config, typed to take exactly that config. */
export function sourceDriverFor<C extends SourceConfig>(config: C): SourceDriver<C> {
  // Sound by construction: sourceDrivers maps each type to the driver of that type's config.
  return sourceDrivers[config.type] as unknown as SourceDriver<C>;
}
