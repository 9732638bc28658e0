import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The copy runs in a worker thread: better-sqlite3's backup steps are synchronous, and on the
 * main thread a large database would stall the archive being written meanwhile (and the
 * daemon's event loop). The worker is plain CommonJS passed as text, so the same code runs
 * from the TypeScript sources under test and from the built files.
 *
 * Each step copies every page at once, so a concurrent writer cannot restart the copy
 * forever. The busy timeout is short and a locked first step is retried with a back-off.
 */
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
(async () => {
  const db = new Database(workerData.source, { readonly: true, fileMustExist: true, timeout: 50 });
  try {
    let cacheSet = false;
    for (let attempt = 0; ; attempt++) {
      if (!cacheSet) {
        // better-sqlite3's default page cache is 16 MB; each page is read once, so 1 MB does.
        // Setting it reads the schema, which waits for a lock like the backup step.
        try {
          db.pragma('cache_size = -1024');
          cacheSet = true;
        } catch (err) {
          if (err.code !== 'SQLITE_BUSY') throw err;
          await sleep(Math.min(10 * 2 ** attempt, 250));
          continue;
        }
      }
      const { totalPages } = await db.backup(workerData.dest, { progress: () => 0x7fffffff });
      // better-sqlite3 reports a first step that found the database locked (SQLITE_BUSY) as
      // "done, 0 of 0 pages": nothing was copied. A database has at least one page.
      if (totalPages > 0) return totalPages;
      await sleep(Math.min(10 * 2 ** attempt, 250));
    }
  } finally {
    db.close();
  }
})().then(
  (totalPages) => parentPort.postMessage({ totalPages }),
  (err) => parentPort.postMessage({ error: { message: String(err && err.message || err), code: err && err.code } }),
);
`;

const betterSqlite3 = createRequire(import.meta.url).resolve('better-sqlite3');

interface WorkerReply {
  totalPages?: number;
  error?: { message: string; code?: string };
}

/**
 * Copies `source` to `dest` with SQLite's online backup API: one consistent read transaction
 * (a commit by another connection restarts the copy), never a raw file copy, which can tear
 * pages and miss what is still in the WAL. Opened read-only: the backup never writes to, or
 * checkpoints, the application's database. Returns the number of pages copied.
 */
export function onlineBackup(source: string, dest: string, signal: AbortSignal): Promise<number> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerSource, {
      eval: true,
      workerData: { module: betterSqlite3, source, dest },
      // A copy needs little heap; keep the thread's footprint small beside the archive.
      resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 32 },
    });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => {
      settle(() => reject(signal.reason));
      void worker.terminate();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (reply: WorkerReply) => {
      if (reply.totalPages !== undefined) settle(() => resolve(reply.totalPages as number));
      else {
        const err = Object.assign(new Error(reply.error?.message ?? 'sqlite online backup failed'), {
          code: reply.error?.code,
        });
        settle(() => reject(err));
      }
    });
    worker.once('error', (err) => settle(() => reject(err)));
    worker.once('exit', (code) =>
      settle(() => reject(new Error(`sqlite online backup thread exited early (code ${code})`))),
    );
  });
}
