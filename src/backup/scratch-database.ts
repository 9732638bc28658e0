import { randomBytes } from 'node:crypto';
import type { SourceConfig } from './config-schema.js';
import { pgConnection } from './sources/postgres/connection.js';
import { psqlBeside } from './sources/postgres/index.js';
import { runPgTool } from './sources/postgres/pg-tool.js';
import type { PostgresSourceConfig } from './sources/postgres/schema.js';

/** The same server and credentials as `url`, another database. */
function withDatabase(url: string, database: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^/?#]*)(\/[^?#]*)?/, `$1/${database}`);
}

async function psql(config: PostgresSourceConfig, sql: string): Promise<void> {
  // Password to PGPASSWORD, never onto the command line; errors come back redacted.
  const connection = pgConnection(config.url, config.database);
  await runPgTool({
    bin: psqlBeside(config.pg_restore),
    args: [
      '--no-psqlrc',
      '--no-password',
      '-v',
      'ON_ERROR_STOP=1',
      ...(connection.dbname ? [`--dbname=${connection.dbname}`] : []),
      '-c',
      sql,
    ],
    connection,
    signal: AbortSignal.timeout(120_000),
    what: `drill of postgres source ${config.name}: psql`,
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
  if (config.type !== 'postgres') return fn(undefined);
  const pg = config as PostgresSourceConfig;
  const name = `steward_drill_${randomBytes(6).toString('hex')}`;
  await psql(pg, `CREATE DATABASE ${name}`);
  try {
    return await fn(pg.url ? withDatabase(pg.url, name) : `postgresql:///${name}`);
  } finally {
    await psql(pg, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
  }
}
