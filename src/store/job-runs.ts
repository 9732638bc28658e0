import { type Clock, isoNow } from '../core/clock.js';
import { StewardError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { type Db, normalizeLimit, oneOf, statementCache } from './statements.js';

export const jobTriggers = ['schedule', 'manual', 'catch_up', 'api', 'startup'] as const;
export type JobTrigger = (typeof jobTriggers)[number];

export const jobOutcomes = ['ok', 'failed', 'aborted'] as const;
export type JobOutcome = (typeof jobOutcomes)[number];

export interface JobRun {
  id: string;
  job: string;
  trigger: JobTrigger;
  startedAt: string;
  /** null while running. */
  endedAt: string | null;
  outcome: JobOutcome | null;
  error: string | null;
  pid: number | null;
}

interface JobRunRow {
  id: string;
  job: string;
  trigger: JobTrigger;
  started_at: string;
  ended_at: string | null;
  outcome: JobOutcome | null;
  error: string | null;
  pid: number | null;
}

function toRun(row: JobRunRow): JobRun {
  return {
    id: row.id,
    job: row.job,
    trigger: row.trigger,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    outcome: row.outcome,
    error: row.error,
    pid: row.pid,
  };
}

/** One row per execution of a scheduled or manual job. */
export class JobRuns {
  readonly #clock: Clock;
  readonly #q: ReturnType<typeof statementCache>;

  constructor(db: Db, clock: Clock) {
    this.#clock = clock;
    this.#q = statementCache(db);
  }

  start(input: { job: string; trigger: JobTrigger; pid?: number }): JobRun {
    if (typeof input.job !== 'string' || input.job === '') {
      throw new StewardError('E_USAGE', 'job name must be a non-empty string');
    }
    const row: JobRunRow = {
      id: newId(),
      job: input.job,
      trigger: oneOf(jobTriggers, input.trigger, 'job trigger'),
      started_at: isoNow(this.#clock),
      ended_at: null,
      outcome: null,
      error: null,
      pid: input.pid ?? null,
    };
    this.#q(
      `INSERT INTO job_runs (id, job, trigger, started_at, ended_at, outcome, error, pid)
       VALUES (@id, @job, @trigger, @started_at, @ended_at, @outcome, @error, @pid)`,
    ).run(row);
    return toRun(row);
  }

  finish(id: string, result: { outcome: JobOutcome; error?: string | null }): JobRun {
    const outcome = oneOf(jobOutcomes, result.outcome, 'job outcome');
    const info = this.#q(
      'UPDATE job_runs SET ended_at = ?, outcome = ?, error = ? WHERE id = ? AND ended_at IS NULL',
    ).run(isoNow(this.#clock), outcome, result.error ?? null, id);
    const row = this.#get(id);
    if (!row) throw new StewardError('E_NOT_FOUND', `no job run ${id}`);
    if (info.changes === 0) {
      throw new StewardError('E_CONFLICT', `job run ${id} (${row.job}) already finished: ${row.outcome}`);
    }
    return toRun(row);
  }

  get(id: string): JobRun | null {
    const row = this.#get(id);
    return row ? toRun(row) : null;
  }

  /** Newest first. */
  list(options: { job?: string; limit?: number } = {}): JobRun[] {
    const rows = this.#q(
      `SELECT * FROM job_runs WHERE (@job IS NULL OR job = @job)
       ORDER BY started_at DESC, id DESC LIMIT @limit`,
    ).all({ job: options.job ?? null, limit: normalizeLimit(options.limit) }) as JobRunRow[];
    return rows.map(toRun);
  }

  /** The most recent run of every job that has run, by job name. */
  latestPerJob(): JobRun[] {
    const rows = this.#q(
      `SELECT id, job, trigger, started_at, ended_at, outcome, error, pid FROM (
         SELECT *, row_number() OVER (PARTITION BY job ORDER BY started_at DESC, id DESC) AS rn FROM job_runs
       ) WHERE rn = 1 ORDER BY job`,
    ).all() as JobRunRow[];
    return rows.map(toRun);
  }

  /** When the job last started (the scheduler's catch-up decision), or null if it never ran. */
  lastStartedAt(job: string): Date | null {
    const row = this.#q('SELECT max(started_at) AS at FROM job_runs WHERE job = ?').get(job) as {
      at: string | null;
    };
    return row.at === null ? null : new Date(row.at);
  }

  /** At daemon start: runs still open belong to a process that died; close them as aborted. */
  abortStale(reason: string): number {
    return this.#q(
      "UPDATE job_runs SET ended_at = ?, outcome = 'aborted', error = ? WHERE ended_at IS NULL",
    ).run(isoNow(this.#clock), reason).changes;
  }

  /** Runs without an end, oldest first. */
  running(): JobRun[] {
    const rows = this.#q(
      'SELECT * FROM job_runs WHERE ended_at IS NULL ORDER BY started_at, id',
    ).all() as JobRunRow[];
    return rows.map(toRun);
  }

  #get(id: string): JobRunRow | undefined {
    return this.#q('SELECT * FROM job_runs WHERE id = ?').get(id) as JobRunRow | undefined;
  }
}
