import { type Clock, isoNow } from '../core/clock.js';
import { StewardError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { type Db, normalizeLimit, statementCache } from './statements.js';

export const backupRunStates = ['running', 'completed', 'degraded', 'failed', 'aborted'] as const;
export type BackupRunState = (typeof backupRunStates)[number];

export interface TargetOutcome {
  outcome: 'completed' | 'skipped' | 'failed';
  reason?: string;
  archiveId?: string;
  location?: string;
}

export interface BackupRun {
  id: string;
  job: string;
  trigger: string;
  state: BackupRunState;
  startedAt: string;
  finishedAt: string | null;
  pid: number | null;
  bytes: number | null;
  files: number | null;
  archiveBytes: number | null;
  targets: Record<string, TargetOutcome>;
  warnings: string[];
  error: string | null;
}

interface Row {
  id: string;
  job: string;
  trigger: string;
  state: BackupRunState;
  started_at: string;
  finished_at: string | null;
  pid: number | null;
  bytes: number | null;
  files: number | null;
  archive_bytes: number | null;
  targets: string;
  warnings: string;
  error: string | null;
}

function toRun(r: Row): BackupRun {
  return {
    id: r.id,
    job: r.job,
    trigger: r.trigger,
    state: r.state,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    pid: r.pid,
    bytes: r.bytes,
    files: r.files,
    archiveBytes: r.archive_bytes,
    targets: JSON.parse(r.targets) as Record<string, TargetOutcome>,
    warnings: JSON.parse(r.warnings) as string[],
    error: r.error,
  };
}

export interface FinishRunInput {
  state: Exclude<BackupRunState, 'running'>;
  bytes?: number;
  files?: number;
  archiveBytes?: number;
  targets: Record<string, TargetOutcome>;
  warnings: string[];
  error?: string | null;
}

export class BackupRuns {
  readonly #clock: Clock;
  readonly #q: ReturnType<typeof statementCache>;

  constructor(db: Db, clock: Clock) {
    this.#clock = clock;
    this.#q = statementCache(db);
  }

  start(input: { job: string; trigger: string; pid: number; startedAt?: string }): BackupRun {
    const id = newId();
    this.#q(
      `INSERT INTO backup_runs (id, job, trigger, state, started_at, pid) VALUES (?, ?, ?, 'running', ?, ?)`,
    ).run(id, input.job, input.trigger, input.startedAt ?? isoNow(this.#clock), input.pid);
    return this.require(id);
  }

  finish(id: string, input: FinishRunInput): BackupRun {
    const info = this.#q(
      `UPDATE backup_runs SET state = @state, finished_at = @now, bytes = @bytes, files = @files,
         archive_bytes = @archiveBytes, targets = @targets, warnings = @warnings, error = @error
       WHERE id = @id AND state = 'running'`,
    ).run({
      id,
      state: input.state,
      now: isoNow(this.#clock),
      bytes: input.bytes ?? null,
      files: input.files ?? null,
      archiveBytes: input.archiveBytes ?? null,
      targets: JSON.stringify(input.targets),
      warnings: JSON.stringify(input.warnings),
      error: input.error ?? null,
    });
    if (info.changes === 0) throw new StewardError('E_CONFLICT', `backup run ${id} is not running`);
    return this.require(id);
  }

  get(id: string): BackupRun | null {
    const row = this.#q('SELECT * FROM backup_runs WHERE id = ?').get(id) as Row | undefined;
    return row ? toRun(row) : null;
  }

  require(id: string): BackupRun {
    const run = this.get(id);
    if (!run) throw new StewardError('E_NOT_FOUND', `no backup run ${id}`);
    return run;
  }

  list(options: { job?: string; limit?: number } = {}): BackupRun[] {
    const rows = this.#q(
      `SELECT * FROM backup_runs WHERE (@job IS NULL OR job = @job) ORDER BY started_at DESC, id DESC LIMIT @limit`,
    ).all({ job: options.job ?? null, limit: normalizeLimit(options.limit) }) as Row[];
    return rows.map(toRun);
  }

  running(job?: string): BackupRun[] {
    const rows = this.#q(
      `SELECT * FROM backup_runs WHERE state = 'running' AND (@job IS NULL OR job = @job)`,
    ).all({ job: job ?? null }) as Row[];
    return rows.map(toRun);
  }

  /** Marks a run that died (its process is gone) as aborted. */
  abort(id: string, reason: string): void {
    this.#q(
      `UPDATE backup_runs SET state = 'aborted', finished_at = ?, error = ? WHERE id = ? AND state = 'running'`,
    ).run(isoNow(this.#clock), reason, id);
  }

  lastSuccess(job: string): BackupRun | null {
    const row = this.#q(
      `SELECT * FROM backup_runs WHERE job = ? AND state IN ('completed', 'degraded')
       ORDER BY started_at DESC LIMIT 1`,
    ).get(job) as Row | undefined;
    return row ? toRun(row) : null;
  }
}
