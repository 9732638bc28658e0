import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { CheckDriver, ProbeResult } from '../types.js';
import type { SqliteCheckConfig } from './schema.js';

export { type SqliteCheckConfig, sqliteCheckSchema } from './schema.js';

/**
 * The query runs in a child process, not a worker thread: better-sqlite3 is synchronous native
 * code, and Worker.terminate() cannot stop a thread inside sqlite3_step (it only interrupts
 * JavaScript), so a runaway query would spin on forever. A process can be SIGKILLed. As in
 * online-backup.ts the code is plain CommonJS passed as text, so sources and built files run it.
 * The first line is a marker that shows in the process list.
 */
export const SQLITE_PROBE_MARKER = '// steward sqlite check probe';
const childSource = `${SQLITE_PROBE_MARKER}
process.once('message', (req) => {
  const text = (v) => v === null || v === undefined ? 'null' : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : String(v);
  let reply;
  let stage = 'open';
  try {
    const Database = require(req.module);
    const db = new Database(req.path, { readonly: true, fileMustExist: true, timeout: req.busyTimeoutMs });
    try {
      stage = 'query';
      const started = performance.now();
      const stmt = db.prepare(req.query);
      let row;
      if (stmt.reader) row = stmt.safeIntegers(true).raw(true).get();
      else stmt.run();
      reply = { reader: stmt.reader, value: row ? text(row[0]) : undefined, ms: performance.now() - started };
    } finally {
      db.close();
    }
  } catch (err) {
    reply = { error: { stage, message: String((err && err.message) || err), code: err && err.code } };
  }
  process.send(reply, () => process.exit(0));
});
`;

const betterSqlite3 = createRequire(import.meta.url).resolve('better-sqlite3');

type Reply =
  | { reader: boolean; value?: string; ms: number; error?: undefined }
  | { error: { stage: 'open' | 'query'; message: string; code?: string } };

const quote = (value: string) => JSON.stringify(value.length > 100 ? `${value.slice(0, 99)}…` : value);

function failure(error: { stage: string; message: string; code?: string }): string {
  if (error.code === 'SQLITE_BUSY') return 'database is locked';
  return error.stage === 'open'
    ? `cannot open the database: ${error.message}`
    : `query failed: ${error.message}`;
}

export const sqliteCheck: CheckDriver<SqliteCheckConfig> = {
  async probe(config, ctx): Promise<ProbeResult> {
    const timedOut: ProbeResult = { status: 'down', message: `timed out after ${ctx.timeoutMs} ms` };
    if (ctx.signal.aborted) return timedOut;
    const file = await stat(config.path).catch(() => null);
    if (!file) return { status: 'down', message: `no such database file: ${config.path}` };
    if (!file.isFile()) return { status: 'down', message: `not a file: ${config.path}` };

    // NODE_OPTIONS may load a TypeScript loader or a debugger: the probe needs neither.
    const { NODE_OPTIONS: _, ...env } = process.env;
    const child = spawn(process.execPath, ['--max-old-space-size=64', '-e', childSource], {
      env,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 4096) stderr += chunk.toString('utf8');
    });
    const exited = new Promise<void>((resolve) => {
      child.once('close', () => resolve());
      child.once('error', () => resolve());
    });

    const reply = await new Promise<Reply | 'aborted' | Error>((resolve) => {
      const settle = (value: Reply | 'aborted' | Error) => {
        ctx.signal.removeEventListener('abort', onAbort);
        resolve(value);
      };
      const onAbort = () => {
        child.kill('SIGKILL');
        settle('aborted');
      };
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      child.once('message', (message: Reply) => settle(message));
      child.once('error', (err) => {
        child.kill('SIGKILL');
        settle(err);
      });
      // 'close', not 'exit': it comes after the IPC channel has delivered every message.
      child.once('close', (code, signal) => {
        const why = stderr.trim().split('\n')[0] || `exit ${code ?? signal}`;
        settle(new Error(`the probe process ended without an answer (${why})`));
      });
      child.send({
        module: betterSqlite3,
        path: config.path,
        query: config.query,
        busyTimeoutMs: ctx.timeoutMs,
      });
    });
    // It exits once the reply is sent (or was killed); the guard covers a child that lingers.
    const guard = setTimeout(() => child.kill('SIGKILL'), 1000);
    await exited;
    clearTimeout(guard);

    if (reply === 'aborted') return timedOut;
    if (reply instanceof Error) return { status: 'down', message: reply.message };
    if (reply.error) return { status: 'down', message: failure(reply.error) };
    const latencyMs = Math.round(reply.ms);
    const got = reply.value === undefined ? undefined : quote(reply.value);
    const message = !reply.reader
      ? 'statement ran'
      : got === undefined
        ? 'query returned no rows'
        : `query returned ${got}`;
    if (config.expect !== undefined && reply.value !== config.expect) {
      return { status: 'down', message: `expected ${quote(config.expect)}, ${message}`, latencyMs };
    }
    return { status: 'up', message, latencyMs };
  },
};
