import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { systemClock } from '../core/clock.js';
import type { CommandContext } from '../core/context.js';
import { createLogger } from '../core/logger.js';
import { openStore } from '../store/db.js';

export interface GlobalOptions {
  config?: string;
  debug?: boolean;
}

export function cliActor(): string {
  let user = process.env.USER ?? 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // no passwd entry (containers): keep $USER
  }
  return `cli:${user}`;
}

export function storeFile(config: ResolvedConfig): string {
  return path.join(config.data_dir, 'steward.db');
}

/** Config and store for one CLI command; diagnostics go to stderr, never stdout. */
export function openCliContext(
  globals: GlobalOptions,
  opts: { migrate?: boolean } = {},
): CommandContext & { close(): void } {
  const config = loadConfig({ file: globals.config });
  const store = openStore({ file: storeFile(config), migrate: opts.migrate ?? true });
  const logger = createLogger({ level: globals.debug ? 'debug' : 'warn', destination: process.stderr });
  return { config, store, actor: cliActor(), clock: systemClock, logger, close: () => store.close() };
}

/** Runs fn with a context and always closes the store. */
export async function withContext<T>(
  globals: GlobalOptions,
  fn: (ctx: CommandContext) => T | Promise<T>,
  opts: { migrate?: boolean } = {},
): Promise<T> {
  const ctx = openCliContext(globals, opts);
  try {
    return await fn(ctx);
  } finally {
    ctx.close();
  }
}
