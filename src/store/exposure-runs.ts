import { type Clock, isoNow } from '../core/clock.js';
import { StewardError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { type Db, normalizeLimit, oneOf, statementCache } from './statements.js';

export const exposureTransitions = ['healthy', 'unhealthy'] as const;
export type ExposureTransition = (typeof exposureTransitions)[number];

export const exposureOutcomes = ['running', 'ok', 'failed'] as const;
export type ExposureOutcome = (typeof exposureOutcomes)[number];

/** What started a run; stored as text without a CHECK so that adding one needs no migration. */
export const exposureTriggers = ['health', 'startup', 'retry', 'evaluate'] as const;
export type ExposureTrigger = (typeof exposureTriggers)[number];

/** The most output kept per run: enough to explain a failure. */
export const EXPOSURE_OUTPUT_MAX_BYTES = 4096;

export interface ExposureRunRecord {
  id: string;
  service: string;
  transition: ExposureTransition;
  command: string;
  trigger: ExposureTrigger;
  startedAt: string;
  /** null while running. */
  finishedAt: string | null;
  outcome: ExposureOutcome;
  exitCode: number | null;
  output: string | null;
  error: string | null;
}

interface Row {
  id: string;
  service: string;
  transition: ExposureTransition;
  command: string;
  trigger: ExposureTrigger;
  started_at: string;
  finished_at: string | null;
  outcome: ExposureOutcome;
  exit_code: number | null;
  output: string | null;
  error: string | null;
}

const toRecord = (r: Row): ExposureRunRecord => ({
  id: r.id,
  service: r.service,
  transition: r.transition,
  command: r.command,
  trigger: r.trigger,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  outcome: r.outcome,
  exitCode: r.exit_code,
  output: r.output,
  error: r.error,
});

/** The last `max` bytes of `text`, cut on a character boundary. */
export function tailUtf8(text: string, max = EXPOSURE_OUTPUT_MAX_BYTES): string {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= max) return text;
  let start = buf.length - max;
  // Skip UTF-8 continuation bytes so the tail does not begin mid-character.
  while (start < buf.length && ((buf[start] ?? 0) & 0xc0) === 0x80) start++;
  return buf.subarray(start).toString('utf8');
}

/** One row per exposure command run: running → ok | failed. */
export class ExposureRuns {
  readonly #q: ReturnType<typeof statementCache>;
  readonly #clock: Clock;

  constructor(db: Db, clock: Clock) {
    this.#q = statementCache(db);
    this.#clock = clock;
  }

  start(input: {
    service: string;
    transition: ExposureTransition;
    command: string;
    trigger: ExposureTrigger;
  }): ExposureRunRecord {
    if (input.service === '') throw new StewardError('E_USAGE', 'service must be a non-empty string');
    const row: Row = {
      id: newId(),
      service: input.service,
      transition: oneOf(exposureTransitions, input.transition, 'exposure transition'),
      command: input.command,
      trigger: oneOf(exposureTriggers, input.trigger, 'exposure trigger'),
      started_at: isoNow(this.#clock),
      finished_at: null,
      outcome: 'running',
      exit_code: null,
      output: null,
      error: null,
    };
    this.#q(
      `INSERT INTO exposure_runs (id, service, transition, command, trigger, started_at, finished_at, outcome, exit_code, output, error)
       VALUES (@id, @service, @transition, @command, @trigger, @started_at, @finished_at, @outcome, @exit_code, @output, @error)`,
    ).run(row);
    return toRecord(row);
  }

  finish(
    id: string,
    result: {
      outcome: 'ok' | 'failed';
      exitCode?: number | null;
      output?: string | null;
      error?: string | null;
    },
  ): ExposureRunRecord {
    const outcome = oneOf(['ok', 'failed'] as const, result.outcome, 'exposure outcome');
    const output = result.output ? tailUtf8(result.output) : null;
    const info = this.#q(
      `UPDATE exposure_runs SET finished_at = ?, outcome = ?, exit_code = ?, output = ?, error = ?
       WHERE id = ? AND outcome = 'running'`,
    ).run(isoNow(this.#clock), outcome, result.exitCode ?? null, output, result.error ?? null, id);
    const row = this.#get(id);
    if (!row) throw new StewardError('E_NOT_FOUND', `no exposure run ${id}`);
    if (info.changes === 0) {
      throw new StewardError(
        'E_CONFLICT',
        `exposure run ${id} (${row.service}) already finished: ${row.outcome}`,
      );
    }
    return toRecord(row);
  }

  get(id: string): ExposureRunRecord | null {
    const row = this.#get(id);
    return row ? toRecord(row) : null;
  }

  /** Newest first. */
  list(options: { service?: string; limit?: number } = {}): ExposureRunRecord[] {
    const rows = this.#q(
      `SELECT * FROM exposure_runs WHERE (@service IS NULL OR service = @service)
       ORDER BY started_at DESC, id DESC LIMIT @limit`,
    ).all({ service: options.service ?? null, limit: normalizeLimit(options.limit) }) as Row[];
    return rows.map(toRecord);
  }

  lastRun(service: string): ExposureRunRecord | null {
    const row = this.#q(
      'SELECT * FROM exposure_runs WHERE service = ? ORDER BY started_at DESC, id DESC LIMIT 1',
    ).get(service) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  /** The transition of the newest successful run: what the service's exposure is now. */
  lastApplied(service: string): ExposureTransition | null {
    const row = this.#q(
      `SELECT transition FROM exposure_runs WHERE service = ? AND outcome = 'ok'
       ORDER BY started_at DESC, id DESC LIMIT 1`,
    ).get(service) as { transition: ExposureTransition } | undefined;
    return row?.transition ?? null;
  }

  /** At start: runs still 'running' belong to a process that died; close them as failed. */
  abortStale(reason: string): number {
    return this.#q(
      "UPDATE exposure_runs SET finished_at = ?, outcome = 'failed', error = ? WHERE outcome = 'running'",
    ).run(isoNow(this.#clock), reason).changes;
  }

  #get(id: string): Row | undefined {
    return this.#q('SELECT * FROM exposure_runs WHERE id = ?').get(id) as Row | undefined;
  }
}
