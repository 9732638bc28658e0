import fs from 'node:fs';
import path from 'node:path';
import type { CommandContext } from '../core/context.js';
import { StewardError } from '../core/errors.js';
import type { EventBus } from '../core/events.js';
import { acquireLock, type Lock } from '../daemon/lock.js';
import type { BackupJobConfig, BackupsConfig, SourceConfig } from './config-schema.js';
import { sourceDrivers } from './sources/index.js';
import { createTarget } from './targets/index.js';
import type { BackupTarget, SourceDriver } from './types.js';

/** The backups section, or an error that says how to add it. */
export function backupsOf(ctx: CommandContext): BackupsConfig {
  return ctx.config.backups as unknown as BackupsConfig;
}

export function jobOf(ctx: CommandContext, name: string): BackupJobConfig {
  const jobs = backupsOf(ctx).jobs;
  const job = jobs[name];
  if (!job) {
    const known = Object.keys(jobs);
    throw new StewardError('E_NOT_FOUND', `no backup job named ${name}`, {
      hint: known.length
        ? `backup jobs: ${known.join(', ')}`
        : 'no backup jobs are configured (backups.jobs in steward.yaml)',
    });
  }
  return job;
}

export function openTarget(ctx: CommandContext, name: string): BackupTarget {
  const config = backupsOf(ctx).targets[name];
  if (!config) {
    throw new StewardError('E_NOT_FOUND', `no backup target named ${name}`, {
      hint: `targets: ${Object.keys(backupsOf(ctx).targets).join(', ') || '(none)'}`,
    });
  }
  return createTarget(name, config, { logger: ctx.logger });
}

/** The driver for a source config; configs are typed per driver, the registry by name. */
export function driverFor(source: { type: string }): SourceDriver<SourceConfig> {
  const driver = (sourceDrivers as Record<string, unknown>)[source.type];
  if (!driver) throw new StewardError('E_CONFIG', `unknown source type ${source.type}`);
  // The registry maps each type to the driver of that config shape; the union is checked by the schema.
  return driver as SourceDriver<SourceConfig>;
}

/** One backup run, prune or in-place restore per job at a time, across the daemon and the CLI. */
export function lockJob(ctx: CommandContext, job: string, purpose: string): Lock {
  const file = path.join(ctx.config.data_dir, 'locks', `backup-${job}.lock`);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  return acquireLock(file, { purpose: `backup job ${job} (${purpose})`, clock: ctx.clock });
}

/** A private scratch directory under the data dir (same filesystem as the store, never /tmp). */
export function scratchDir(ctx: CommandContext, label: string): string {
  const base = path.join(ctx.config.data_dir, 'tmp');
  fs.mkdirSync(base, { recursive: true, mode: 0o700 });
  return fs.mkdtempSync(path.join(base, `${label}-`));
}

export interface BackupDeps {
  events?: EventBus;
  signal?: AbortSignal;
}
