import { z } from 'zod';
import type { FieldContext } from '../../config/fields.js';
import type { Logger } from '../../core/logger.js';
import type { BackupTarget, TargetDriver } from '../types.js';
import { localTargetDriver } from './local/driver.js';
import { type LocalTargetConfig, localTargetSchema } from './local/schema.js';
import { rcloneTargetDriver } from './rclone/driver.js';
import { type RcloneTargetConfig, rcloneTargetSchema } from './rclone/schema.js';

export type { LocalTargetConfig } from './local/schema.js';
export { localTargetSchema } from './local/schema.js';
export type { RcloneTargetConfig } from './rclone/schema.js';
export { rcloneTargetSchema } from './rclone/schema.js';

/** Every target type Steward knows. Adding one: its folder, an entry here, one in the schema below. */
export const targetDrivers = {
  local: localTargetDriver,
  rclone: rcloneTargetDriver,
} satisfies { [K in TargetConfig['type']]: TargetDriver<Extract<TargetConfig, { type: K }>> };

export type TargetType = keyof typeof targetDrivers;

export function targetConfigSchema(ctx: FieldContext) {
  return z
    .discriminatedUnion('type', [localTargetSchema(ctx), rcloneTargetSchema(ctx)])
    .meta({ description: 'Where finished archives are stored; "type" selects the kind.' });
}

export type TargetConfig = LocalTargetConfig | RcloneTargetConfig;

export function createTarget(name: string, config: TargetConfig, deps: { logger: Logger }): BackupTarget {
  switch (config.type) {
    case 'local':
      return targetDrivers.local.create(name, config, deps);
    case 'rclone':
      return targetDrivers.rclone.create(name, config, deps);
  }
}
