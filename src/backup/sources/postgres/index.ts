import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage, StewardError } from '../../../core/errors.js';
import { isAbortError } from '../../../core/exec.js';
import type {
  ArchiveEntry,
  DrillCheck,
  DrillContext,
  RestoreContext,
  SourceContext,
  SourceDriver,
  SourceSnapshot,
} from '../../types.js';
import { ScratchFiles } from '../shared/scratch.js';
import { type PgConnection, pgConnection } from './connection.js';
import { runPgTool } from './pg-tool.js';
import type { PostgresSourceConfig } from './schema.js';
import { type DumpToc, parseToc } from './toc.js';

const dumpName = (config: PostgresSourceConfig) => `${config.name}.dump`;
const what = (config: PostgresSourceConfig, tool: string) => `postgres source ${config.name}: ${tool}`;
const noSecrets: PgConnection = { env: {}, secrets: [] };

/** Rows of every ordinary table (partitions counted once, through their own tables). */
const countRowsSql = `SELECT count(*), coalesce(sum((xpath('/row/c/text()', query_to_xml(
  format('SELECT count(*) AS c FROM ONLY %I.%I', n.nspname, c.relname), false, true, '')))[1]::text::bigint), 0)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`;

/** psql is not configurable on its own: it comes from the same installation as pg_restore. */
export function psqlBeside(pgRestore: string): string {
  return pgRestore.includes('/') ? path.join(path.dirname(pgRestore), 'psql') : 'psql';
}

async function readToc(config: PostgresSourceConfig, file: string, signal: AbortSignal): Promise<DumpToc> {
  const listing = await runPgTool({
    bin: config.pg_restore,
    args: ['--list', file],
    connection: noSecrets,
    signal,
    what: what(config, 'pg_restore --list'),
  });
  return parseToc(listing);
}

async function snapshot(config: PostgresSourceConfig, ctx: SourceContext): Promise<SourceSnapshot> {
  const scratch = new ScratchFiles(ctx.scratchDir);
  try {
    const connection = pgConnection(config.url, config.database);
    const file = scratch.claim(dumpName(config));
    await runPgTool({
      bin: config.pg_dump,
      args: [
        '--format=custom',
        '--no-password',
        `--file=${file}`,
        ...(connection.dbname === undefined ? [] : [`--dbname=${connection.dbname}`]),
        ...(config.options ?? []),
      ],
      connection,
      signal: ctx.signal,
      what: what(config, 'pg_dump'),
    });
    const toc = await readToc(config, file, ctx.signal);
    const size = (await stat(file)).size;
    const entry: ArchiveEntry = {
      path: dumpName(config),
      type: 'file',
      mode: 0o600, // the dump holds all of the data, whatever the server's grants were
      mtime: new Date(),
      size,
      open: () => createReadStream(file),
    };
    async function* entries(): AsyncGenerator<ArchiveEntry> {
      yield entry;
    }
    return {
      entries: entries(),
      meta: {
        serverVersion: toc.serverVersion,
        pgDumpVersion: toc.pgDumpVersion,
        database: toc.database,
        tocEntries: toc.entries,
        bytes: size,
      },
      cleanup: () => scratch.removeAll(),
    };
  } catch (err) {
    await scratch.removeAll();
    throw err;
  }
}

async function dumpIn(config: PostgresSourceConfig, extractedDir: string): Promise<string> {
  const file = path.join(extractedDir, dumpName(config));
  try {
    await stat(file);
  } catch (err) {
    throw new StewardError('E_NOT_FOUND', `postgres source ${config.name}: ${file} is missing`, {
      cause: err,
    });
  }
  return file;
}

async function restoreInPlace(config: PostgresSourceConfig, extractedDir: string, ctx: RestoreContext) {
  const file = await dumpIn(config, extractedDir);
  const connection = pgConnection(config.url, config.database);
  // Without --dbname pg_restore prints SQL instead of restoring: fall back to where the dump came from.
  const dbname =
    connection.dbname ?? process.env.PGDATABASE ?? (await readToc(config, file, ctx.signal)).database;
  if (dbname === undefined) {
    throw new StewardError('E_CONFIG', `postgres source ${config.name}: no database to restore into`, {
      hint: 'set url or database in the source config',
    });
  }
  await runPgTool({
    bin: config.pg_restore,
    // One transaction: a failed restore leaves the database as it was, not half-dropped.
    args: [
      '--clean',
      '--if-exists',
      '--no-owner',
      '--no-password',
      '--single-transaction',
      '--exit-on-error',
      `--dbname=${dbname}`,
      file,
    ],
    connection,
    signal: ctx.signal,
    what: what(config, 'pg_restore'),
  });
}

async function drillCheck(
  config: PostgresSourceConfig,
  extractedDir: string,
  ctx: DrillContext,
): Promise<DrillCheck> {
  try {
    const file = await dumpIn(config, extractedDir);
    const toc = await readToc(config, file, ctx.signal);
    const from = toc.serverVersion ? ` (dumped from PostgreSQL ${toc.serverVersion})` : '';
    const details: Record<string, unknown> = { ...toc };
    if (ctx.scratchDatabaseUrl === undefined) {
      return {
        ok: true,
        message: `pg_restore --list ok: ${toc.entries} TOC entries, ${toc.tablesWithData} tables with data${from}; no scratch database for a full restore`,
        details,
      };
    }
    const scratch = pgConnection(ctx.scratchDatabaseUrl);
    await runPgTool({
      bin: config.pg_restore,
      // The scratch server need not know the source's roles: no owners, no grants.
      args: [
        '--no-owner',
        '--no-privileges',
        '--no-password',
        '--single-transaction',
        '--exit-on-error',
        `--dbname=${scratch.dbname}`,
        file,
      ],
      connection: scratch,
      signal: ctx.signal,
      what: 'pg_restore into the scratch database',
    });
    const counts = await runPgTool({
      bin: psqlBeside(config.pg_restore),
      args: [
        '-X',
        '-A',
        '-t',
        '--no-password',
        '-v',
        'ON_ERROR_STOP=1',
        `--dbname=${scratch.dbname}`,
        '-c',
        countRowsSql,
      ],
      connection: scratch,
      signal: ctx.signal,
      what: 'counting rows in the scratch database',
    });
    const [tables = 0, rows = 0] = counts.trim().split('|').map(Number);
    return {
      ok: true,
      message: `pg_restore into a scratch database ok: ${tables} tables, ${rows} rows${from}`,
      details: { ...details, tables, rows },
    };
  } catch (err) {
    if (isAbortError(err)) throw err;
    return { ok: false, message: errorMessage(err) };
  }
}

export const postgresSource: SourceDriver<PostgresSourceConfig> = {
  type: 'postgres',
  snapshotAhead: true,
  snapshot,
  restoreInPlace,
  drillCheck,
};
