import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import type { SourceConfig } from './config-schema.js';

interface PostgresLike {
  type: 'postgres';
  url?: string | undefined;
}

function isPostgres(config: { type: string }): config is PostgresLike {
  return config.type === 'postgres';
}

/** libpq settings for `url` with its password moved to PGPASSWORD, so it never shows in `ps`. */
function connection(
  url: string | undefined,
  database?: string,
): { args: string[]; env: Record<string, string> } {
  if (!url) return { args: database ? ['--dbname', database] : [], env: {} };
  const u = new URL(url);
  const env: Record<string, string> = {};
  if (u.password) {
    env.PGPASSWORD = decodeURIComponent(u.password);
    u.password = '';
  }
  if (database) u.pathname = `/${database}`;
  return { args: ['--dbname', u.toString()], env };
}

async function psql(url: string | undefined, sql: string, database?: string): Promise<void> {
  const c = connection(url, database);
  await execa('psql', ['--no-psqlrc', '--no-password', '-v', 'ON_ERROR_STOP=1', ...c.args, '-c', sql], {
    env: c.env,
    timeout: 60_000,
  });
}

/**
 * For a postgres source: an empty database on the same server for the drill to restore
 * into, dropped afterwards whatever happens. Other sources get no URL.
 */
export async function withScratchDatabase<T>(
  config: SourceConfig | { type: string },
  fn: (scratchUrl: string | undefined) => Promise<T>,
): Promise<T> {
  if (!isPostgres(config)) return fn(undefined);
  const name = `steward_drill_${randomBytes(6).toString('hex')}`;
  await psql(config.url, `CREATE DATABASE ${name}`);
  try {
    let scratchUrl: string;
    if (config.url) {
      const u = new URL(config.url);
      u.pathname = `/${name}`;
      scratchUrl = u.toString();
    } else {
      scratchUrl = `postgresql:///${name}`;
    }
    return await fn(scratchUrl);
  } finally {
    await psql(config.url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
  }
}
