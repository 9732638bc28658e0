import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';

/** Pages per backup step: everything at once, so a concurrent writer cannot restart the copy forever. */
const allPages = 0x7fffffff;
/**
 * Short: better-sqlite3 waits for a lock synchronously, and a long wait would stall the
 * daemon's event loop; a busy step is retried on the next tick instead.
 */
const busyWaitMs = 50;

/**
 * Copies `source` to `dest` with SQLite's online backup API: one consistent read transaction
 * (a commit by another connection restarts the copy), never a raw file copy, which can tear
 * pages and miss what is still in the WAL. Opened read-only: the backup never writes to, or
 * checkpoints, the application's database. Returns the number of pages copied.
 */
export async function onlineBackup(source: string, dest: string, signal: AbortSignal): Promise<number> {
  const db = new Database(source, { readonly: true, fileMustExist: true, timeout: busyWaitMs });
  try {
    for (let attempt = 0; ; attempt++) {
      signal.throwIfAborted();
      const { totalPages } = await db.backup(dest, {
        progress: () => {
          signal.throwIfAborted();
          return allPages;
        },
      });
      // better-sqlite3 reports a first step that found the database locked (SQLITE_BUSY) as
      // "done, 0 of 0 pages" — nothing was copied. A database has at least one page: try again.
      if (totalPages > 0) return totalPages;
      await sleep(Math.min(10 * 2 ** attempt, 250), undefined, { signal });
    }
  } finally {
    db.close();
  }
}
