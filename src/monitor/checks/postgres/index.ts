import type postgresLib from 'postgres';
import { pgConnection, redact } from '../../../backup/sources/postgres/connection.js';
import type { CheckDriver, ProbeResult } from '../types.js';
import type { PostgresCheckConfig } from './schema.js';

export { type PostgresCheckConfig, postgresCheckSchema } from './schema.js';

/** How long closing the connection may take before the probe returns anyway. */
const END_WAIT_MS = 1000;

const quote = (value: string) => JSON.stringify(value.length > 100 ? `${value.slice(0, 99)}…` : value);

type Outcome = { rows: unknown[][] } | { error: unknown } | 'aborted';

function failure(postgres: typeof postgresLib, error: unknown, secrets: string[]): string {
  const message = redact(error instanceof Error ? error.message : String(error), secrets);
  if (error instanceof postgres.PostgresError) {
    // Class 28 is a refused login, 3D a missing database: the connection failed, not the query.
    if (error.code.startsWith('28') || error.code === '3D000') return `cannot connect: ${message}`;
    return `query failed: ${message}`;
  }
  return `cannot connect: ${message}`;
}

/** The first column of the first row as the server wrote it (raw rows hold text-format buffers). */
function firstValue(rows: unknown[][]): string | undefined {
  const row = rows[0];
  if (row === undefined || row.length === 0) return undefined;
  const value = row[0];
  if (value === null || value === undefined) return 'null';
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}

/**
 * One connection per probe (max 1, closed at once): a check every 30 s does not justify a
 * pool, and a dead server must show as a failed connect, not as a stale pooled socket.
 */
export const postgresCheck: CheckDriver<PostgresCheckConfig> = {
  async probe(config, ctx): Promise<ProbeResult> {
    const timedOut: ProbeResult = { status: 'down', message: `timed out after ${ctx.timeoutMs} ms` };
    if (ctx.signal.aborted) return timedOut;
    const { secrets } = pgConnection(config.url);
    // Loaded on first use: the client costs memory a daemon without postgres checks need not pay.
    const postgres = (await import('postgres')).default;
    let sql: postgresLib.Sql;
    try {
      sql = postgres(config.url, {
        max: 1,
        prepare: false,
        connect_timeout: Math.max(1, Math.ceil(ctx.timeoutMs / 1000)),
        idle_timeout: 1,
        onnotice: () => {},
        connection: { application_name: 'steward-check' },
      });
    } catch (error) {
      return { status: 'down', message: `invalid url: ${redact(String(error), secrets)}` };
    }

    const started = performance.now();
    const query = sql.unsafe(config.query).raw();
    let onAbort = () => {};
    const outcome = await new Promise<Outcome>((resolve) => {
      onAbort = () => resolve('aborted');
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      query.then(
        (rows) => resolve({ rows: rows as unknown as unknown[][] }),
        (error: unknown) => resolve({ error }),
      );
    });
    ctx.signal.removeEventListener('abort', onAbort);
    const latencyMs = Math.round(performance.now() - started);
    // Closing the socket alone would leave the backend running the query until it next writes
    // to the client; the cancel request (on its own connection) stops it now.
    if (outcome === 'aborted') query.cancel();
    let endTimer: NodeJS.Timeout | undefined;
    await Promise.race([
      sql.end({ timeout: 0 }).catch(() => undefined),
      new Promise((resolve) => (endTimer = setTimeout(resolve, END_WAIT_MS))),
    ]);
    clearTimeout(endTimer);

    if (outcome === 'aborted') return timedOut;
    if ('error' in outcome)
      return { status: 'down', message: failure(postgres, outcome.error, secrets), latencyMs };
    const value = firstValue(outcome.rows);
    const message = value === undefined ? 'query returned no rows' : `query returned ${quote(value)}`;
    if (config.expect !== undefined && value !== config.expect) {
      return {
        status: 'down',
        message: redact(`expected ${quote(config.expect)}, ${message}`, secrets),
        latencyMs,
      };
    }
    return { status: 'up', message: redact(message, secrets), latencyMs };
  },
};
