import { StewardError } from '../../../core/errors.js';
import { abortError } from '../../../core/exec.js';
import { tailLines } from '../shared/text.js';
import { type PgConnection, redact } from './connection.js';

export interface PgToolRun {
  /** Executable (config `pg_dump`, `pg_restore`, or psql beside them). */
  bin: string;
  args: string[];
  connection: PgConnection;
  signal: AbortSignal;
  /** Says what failed, e.g. "postgres source app: pg_dump". */
  what: string;
}

/**
 * Runs a PostgreSQL client tool with an argument array (no shell) and the password in the
 * environment. A failure becomes a StewardError with the tail of the tool's stderr, with every
 * secret redacted; abort terminates it (SIGTERM, SIGKILL after 5 s).
 */
export async function runPgTool(run: PgToolRun): Promise<string> {
  run.signal.throwIfAborted();
  const { execa } = await import('execa');
  const result = await execa(run.bin, run.args, {
    env: {
      PGAPPNAME: 'steward',
      // libpq waits for the OS TCP timeout otherwise: minutes for a black-holed host.
      PGCONNECT_TIMEOUT: process.env.PGCONNECT_TIMEOUT ?? '30',
      ...run.connection.env,
    },
    stdin: 'ignore',
    cancelSignal: run.signal,
    reject: false,
    maxBuffer: { stdout: 64 * 1024 * 1024, stderr: 16 * 1024 * 1024 },
  });
  if (!result.failed) return result.stdout;
  if (result.isCanceled) throw abortError(`${run.what} aborted`, run.signal.reason);
  const code = (result.cause as NodeJS.ErrnoException | undefined)?.code;
  if (result.exitCode === undefined && code === 'ENOENT') {
    throw new StewardError('E_EXTERNAL', `${run.what}: ${run.bin} not found`, {
      hint: 'install the PostgreSQL client tools, or set the path to the tool in the source config',
    });
  }
  const why =
    result.exitCode === undefined
      ? `was killed by ${result.signal ?? 'a signal'}`
      : `exited with code ${result.exitCode}`;
  const stderr = redact(tailLines(result.stderr), run.connection.secrets);
  throw new StewardError('E_EXTERNAL', `${run.what} ${why}${stderr ? `:\n${stderr}` : ''}`, {
    details: { stderrTail: stderr },
  });
}
