import { createReadStream } from 'node:fs';
import { chmod, chown, copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { errorMessage, StewardError } from '../../../core/errors.js';
import type { ArchiveEntry, DrillCheck, SourceContext, SourceDriver, SourceSnapshot } from '../../types.js';
import { fsyncDir, fsyncFile } from '../shared/fsync.js';
import { ScratchFiles } from '../shared/scratch.js';
import { onlineBackup } from './online-backup.js';
import type { SqliteSourceConfig } from './schema.js';
import { assertSqliteFile, isSqliteFile, readHeader } from './sqlite-file.js';

const what = (config: SqliteSourceConfig) => `sqlite source ${config.name}`;

async function snapshot(config: SqliteSourceConfig, ctx: SourceContext): Promise<SourceSnapshot> {
  const scratch = new ScratchFiles(ctx.scratchDir);
  try {
    await assertSqliteFile(config.path, what(config));
    const original = await stat(config.path);
    const base = path.basename(config.path);
    const copy = scratch.claim(base);
    // SQLite leaves these beside a WAL-mode copy if anything opens it; claim them for cleanup.
    scratch.claim(`${base}-wal`);
    scratch.claim(`${base}-shm`);
    ctx.signal.throwIfAborted();

    const totalPages = await onlineBackup(config.path, copy, ctx.signal);
    const size = (await stat(copy)).size;
    const header = await readHeader(copy);
    if (size !== totalPages * header.pageSize) {
      throw new StewardError(
        'E_INTERNAL',
        `${what(config)}: the copy has ${size} bytes, expected ${totalPages} pages of ${header.pageSize}`,
      );
    }
    const meta = { pageCount: totalPages, ...header };
    const entry: ArchiveEntry = {
      path: base,
      type: 'file',
      mode: original.mode & 0o7777,
      mtime: original.mtime,
      uid: original.uid,
      gid: original.gid,
      size,
      open: () => createReadStream(copy),
    };
    async function* entries(): AsyncGenerator<ArchiveEntry> {
      yield entry;
    }
    return { entries: entries(), meta: { ...meta, bytes: size }, cleanup: () => scratch.removeAll() };
  } catch (err) {
    await scratch.removeAll();
    throw err;
  }
}

/**
 * Order: write `<path>.steward-restore.tmp`, fsync it, delete the old database's `-wal`,
 * `-shm` and `-journal`, rename the temp file over `<path>`, fsync the directory.
 *
 * The stale files go before the rename because SQLite pairs them with whatever database sits
 * at `<path>`: a new database next to the old WAL would have old frames replayed into it (or a
 * hot journal rolled back into it) — corruption. A crash between the deletes and the rename
 * leaves the old database without its WAL, i.e. at its last checkpoint, and the fully written
 * temp file to finish the job; never a mismatched pair. The application must be stopped.
 */
async function restoreInPlace(config: SqliteSourceConfig, extractedDir: string): Promise<void> {
  const restored = path.join(extractedDir, path.basename(config.path));
  await assertSqliteFile(restored, `${what(config)} (restored copy)`);
  const check = quickCheck(restored);
  if (check !== 'ok') {
    throw new StewardError('E_EXTERNAL', `${what(config)}: the restored copy fails quick_check: ${check}`);
  }

  const tmp = `${config.path}.steward-restore.tmp`;
  const previous = await stat(config.path).catch(() => null);
  const source = await stat(restored);
  try {
    await mkdir(path.dirname(config.path), { recursive: true });
    await copyFile(restored, tmp);
    // Keep the live file's owner and mode: the application must still be able to open it.
    const owner = previous ?? source;
    await chmod(tmp, owner.mode & 0o7777);
    if (process.getuid?.() === 0) await chown(tmp, owner.uid, owner.gid);
    await fsyncFile(tmp);
    for (const suffix of ['-wal', '-shm', '-journal']) await rm(`${config.path}${suffix}`, { force: true });
    await rename(tmp, config.path);
    await fsyncDir(path.dirname(config.path));
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** 'ok', or what is wrong: a damaged file must not replace a live database. */
function quickCheck(file: string): string {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const rows = db.pragma('quick_check(5)') as Array<Record<string, string>>;
    return rows.map((r) => Object.values(r)[0]).join('; ');
  } catch (err) {
    return errorMessage(err);
  } finally {
    db?.close();
  }
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

async function drillCheck(config: SqliteSourceConfig, extractedDir: string): Promise<DrillCheck> {
  const file = path.join(extractedDir, path.basename(config.path));
  const fail = (message: string): DrillCheck => ({ ok: false, message, details: { file } });
  try {
    if (!(await isSqliteFile(file))) return fail(`${path.basename(file)} is not an SQLite database`);
  } catch (err) {
    return fail(`cannot read ${path.basename(file)}: ${errorMessage(err)}`);
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const problems = (db.pragma('integrity_check(20)') as Array<Record<string, string>>)
      .map((r) => Object.values(r)[0])
      .filter((v) => v !== 'ok');
    if (problems.length > 0) return fail(`integrity_check failed: ${problems.join('; ')}`);
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE 'CREATE VIRTUAL%'",
      )
      .pluck()
      .all() as string[];
    let rows = 0;
    for (const table of tables) {
      rows += db
        .prepare(`SELECT count(*) FROM ${quoteIdent(table)}`)
        .pluck()
        .get() as number;
    }
    return {
      ok: true,
      message: `integrity_check ok, ${tables.length} tables, ${rows} rows`,
      details: { tables: tables.length, rows },
    };
  } catch (err) {
    return fail(`cannot check the database: ${errorMessage(err)}`);
  } finally {
    db?.close();
  }
}

export const sqliteSource: SourceDriver<SqliteSourceConfig> = {
  type: 'sqlite',
  snapshotAhead: true,
  snapshot,
  restoreInPlace,
  drillCheck,
};
