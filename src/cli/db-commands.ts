import fs from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../config/load.js';
import { StewardError } from '../core/errors.js';
import { acquireLock } from '../daemon/lock.js';
import { daemonLockFile } from '../status/status.js';
import { defaultMigrationsDir, openStore } from '../store/db.js';
import { applyMigrations, migrationStatus, rollbackMigrations } from '../store/migrate.js';
import { cliActor, storeFile } from './context.js';
import { localTime } from './output.js';
import { type CliEnv, command, jsonOption } from './program.js';

export function registerDbCommands(program: Command, env: CliEnv): void {
  const db = command(program, 'db', 'Inspect and migrate the SQLite store', ['steward db status']);

  command(db, 'status', 'Show applied and pending migrations', [
    'steward db status',
    'steward db status --json',
  ])
    .addOption(jsonOption())
    .action((opts: { json?: boolean }) => {
      const config = loadConfig({ file: env.globals().config });
      const store = openStore({ file: storeFile(config), migrate: false });
      try {
        const status = migrationStatus(store.db, defaultMigrationsDir());
        if (opts.json) return env.printer.json({ file: store.file, ...status });
        env.printer.line(`${store.file}: schema version ${status.current}, ${status.pending.length} pending`);
        env.printer.table(
          [
            ...status.applied.map((m) => ({
              version: m.version,
              name: m.name,
              state: 'applied',
              when: localTime(m.applied_at),
            })),
            ...status.pending.map((m) => ({ version: m.version, name: m.name, state: 'pending', when: '' })),
          ],
          ['version', 'name', 'state', 'when'],
        );
      } finally {
        store.close();
      }
    });

  command(db, 'migrate', 'Apply pending migrations in one transaction (the daemon must be stopped)', [
    'steward db migrate',
  ])
    .addOption(jsonOption())
    .action((opts: { json?: boolean }) => {
      const applied = exclusive(env, 'db migrate', (store) => {
        const done = applyMigrations(store.db, defaultMigrationsDir());
        if (done.length) {
          store.audit.append({
            actor: cliActor(),
            action: 'db.migrate',
            target: `db:${store.file}`,
            details: { applied: done },
          });
        }
        return done;
      });
      if (opts.json) return env.printer.json({ applied });
      env.printer.line(
        applied.length
          ? `applied ${applied.map((m) => `${m.version}_${m.name}`).join(', ')}`
          : 'nothing to apply',
      );
    });

  command(db, 'down <n>', 'Roll back the last n migrations (destructive: their tables are dropped)', [
    'steward db down 1 --yes',
  ])
    .option('--yes', 'confirm: data in the dropped tables is lost')
    .addOption(jsonOption())
    .action((n: string, opts: { yes?: boolean; json?: boolean }) => {
      const count = Number(n);
      if (!Number.isInteger(count) || count < 1)
        throw new StewardError('E_USAGE', '<n> must be a positive integer');
      if (!opts.yes) {
        throw new StewardError('E_USAGE', `rolling back ${count} migration(s) drops their tables`, {
          hint: 'take a backup of the data dir first, then add --yes',
        });
      }
      const rolledBack = exclusive(env, 'db down', (store) => {
        const done = rollbackMigrations(store.db, defaultMigrationsDir(), count);
        const hasAudit = store.db
          .prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name='audit_log'")
          .get();
        if (hasAudit) {
          store.audit.append({
            actor: cliActor(),
            action: 'db.down',
            target: `db:${store.file}`,
            details: { rolled_back: done },
          });
        }
        return done;
      });
      if (opts.json) return env.printer.json({ rolledBack });
      env.printer.line(`rolled back ${rolledBack.map((m) => `${m.version}_${m.name}`).join(', ')}`);
    });
}

/** Runs fn holding the data dir's daemon lock, so no daemon can be using the store. */
function exclusive<T>(env: CliEnv, purpose: string, fn: (store: ReturnType<typeof openStore>) => T): T {
  const config = loadConfig({ file: env.globals().config });
  fs.mkdirSync(config.data_dir, { recursive: true, mode: 0o700 });
  const lock = acquireLock(daemonLockFile(config.data_dir), { purpose });
  try {
    const store = openStore({ file: storeFile(config), migrate: false });
    try {
      return fn(store);
    } finally {
      store.close();
    }
  } finally {
    lock.release();
  }
}
