import { newId } from '../core/ids.js';
import { type Db, normalizeLimit, statementCache } from './statements.js';

export interface DrillCheckRecord {
  source: string;
  ok: boolean;
  message: string;
}

export interface RecoveryPoint {
  id: string;
  job: string;
  archiveId: string | null;
  target: string | null;
  startedAt: string;
  finishedAt: string;
  result: 'passed' | 'failed';
  rtoMs: number | null;
  rtoLimitMs: number | null;
  checks: DrillCheckRecord[];
  error: string | null;
}

interface Row {
  id: string;
  job: string;
  archive_id: string | null;
  target: string | null;
  started_at: string;
  finished_at: string;
  result: 'passed' | 'failed';
  rto_ms: number | null;
  rto_limit_ms: number | null;
  checks: string;
  error: string | null;
}

function toPoint(r: Row): RecoveryPoint {
  return {
    id: r.id,
    job: r.job,
    archiveId: r.archive_id,
    target: r.target,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    result: r.result,
    rtoMs: r.rto_ms,
    rtoLimitMs: r.rto_limit_ms,
    checks: JSON.parse(r.checks) as DrillCheckRecord[],
    error: r.error,
  };
}

/** Seed 003's Recovery Point: a drill's proof that an archive restores, and how long it took. */
export class RecoveryPoints {
  readonly #q: ReturnType<typeof statementCache>;

  constructor(db: Db) {
    this.#q = statementCache(db);
  }

  record(input: Omit<RecoveryPoint, 'id'>): RecoveryPoint {
    const id = newId();
    this.#q(
      `INSERT INTO recovery_points (id, job, archive_id, target, started_at, finished_at, result, rto_ms,
         rto_limit_ms, checks, error)
       VALUES (@id, @job, @archiveId, @target, @startedAt, @finishedAt, @result, @rtoMs, @rtoLimitMs, @checks, @error)`,
    ).run({ ...input, id, checks: JSON.stringify(input.checks) });
    return { ...input, id };
  }

  list(options: { job?: string; limit?: number } = {}): RecoveryPoint[] {
    const rows = this.#q(
      `SELECT * FROM recovery_points WHERE (@job IS NULL OR job = @job) ORDER BY started_at DESC, id DESC LIMIT @limit`,
    ).all({ job: options.job ?? null, limit: normalizeLimit(options.limit) }) as Row[];
    return rows.map(toPoint);
  }

  /** Passed / total over the job's drills (seed 003 wants > 95 %). */
  successRate(job: string): { passed: number; total: number; rate: number | null } {
    const r = this.#q(
      `SELECT count(*) AS total, coalesce(sum(result = 'passed'), 0) AS passed FROM recovery_points WHERE job = ?`,
    ).get(job) as { total: number; passed: number };
    return { passed: r.passed, total: r.total, rate: r.total === 0 ? null : r.passed / r.total };
  }

  lastFor(archiveId: string): RecoveryPoint | null {
    const row = this.#q(
      'SELECT * FROM recovery_points WHERE archive_id = ? ORDER BY started_at DESC LIMIT 1',
    ).get(archiveId) as Row | undefined;
    return row ? toPoint(row) : null;
  }
}
