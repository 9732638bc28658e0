import { type Clock, isoNow } from '../core/clock.js';
import { StewardError } from '../core/errors.js';
import { defineLifecycle } from '../core/lifecycle.js';
import { type Db, normalizeLimit, statementCache } from './statements.js';

/** Seed 003's Backup Archive lifecycle. Re-verifying keeps `validated`; a failed verify marks it `failed`. */
export const archiveLifecycle = defineLifecycle({
  name: 'backup archive',
  initial: 'scheduled',
  transitions: {
    scheduled: ['in_progress', 'failed'],
    in_progress: ['completed', 'failed'],
    completed: ['validated', 'expired', 'failed'],
    validated: ['validated', 'expired', 'failed'],
    failed: ['expired'],
    expired: [],
  },
});

export type ArchiveState = (typeof archiveLifecycle.states)[number];

export interface BackupArchive {
  id: string;
  runId: string;
  job: string;
  target: string;
  fileName: string;
  location: string | null;
  state: ArchiveState;
  createdAt: string;
  completedAt: string | null;
  size: number | null;
  sha256: string | null;
  plainBytes: number | null;
  files: number | null;
  lastVerifiedAt: string | null;
  /** 'full' | 'checksum' | 'failed: …' */
  lastVerify: string | null;
  lastDrilledAt: string | null;
  expiredAt: string | null;
  error: string | null;
}

interface Row {
  id: string;
  run_id: string;
  job: string;
  target: string;
  file_name: string;
  location: string | null;
  state: ArchiveState;
  created_at: string;
  completed_at: string | null;
  size: number | null;
  sha256: string | null;
  plain_bytes: number | null;
  files: number | null;
  last_verified_at: string | null;
  last_verify: string | null;
  last_drilled_at: string | null;
  expired_at: string | null;
  error: string | null;
}

function toArchive(r: Row): BackupArchive {
  return {
    id: r.id,
    runId: r.run_id,
    job: r.job,
    target: r.target,
    fileName: r.file_name,
    location: r.location,
    state: r.state,
    createdAt: r.created_at,
    completedAt: r.completed_at,
    size: r.size,
    sha256: r.sha256,
    plainBytes: r.plain_bytes,
    files: r.files,
    lastVerifiedAt: r.last_verified_at,
    lastVerify: r.last_verify,
    lastDrilledAt: r.last_drilled_at,
    expiredAt: r.expired_at,
    error: r.error,
  };
}

export interface ArchivePatch {
  location?: string;
  size?: number;
  sha256?: string;
  plainBytes?: number;
  files?: number;
  error?: string | null;
}

/** One row per archive file: a run writes the same bytes to each of its targets. */
export class BackupArchives {
  readonly #clock: Clock;
  readonly #q: ReturnType<typeof statementCache>;

  constructor(db: Db, clock: Clock) {
    this.#clock = clock;
    this.#q = statementCache(db);
  }

  create(input: {
    id: string;
    runId: string;
    job: string;
    target: string;
    fileName: string;
    createdAt: string;
  }) {
    this.#q(
      `INSERT INTO backup_archives (id, run_id, job, target, file_name, state, created_at)
       VALUES (@id, @runId, @job, @target, @fileName, 'scheduled', @createdAt)`,
    ).run(input);
    return this.require(input.id);
  }

  /** Moves an archive through its lifecycle; an illegal move throws E_CONFLICT and changes nothing. */
  transition(id: string, to: ArchiveState, patch: ArchivePatch = {}): BackupArchive {
    const current = this.require(id);
    archiveLifecycle.assertTransition(current.state, to);
    const now = isoNow(this.#clock);
    this.#q(
      `UPDATE backup_archives SET state = @to,
         location = coalesce(@location, location), size = coalesce(@size, size),
         sha256 = coalesce(@sha256, sha256), plain_bytes = coalesce(@plainBytes, plain_bytes),
         files = coalesce(@files, files),
         error = CASE WHEN @setError THEN @error ELSE error END,
         completed_at = CASE WHEN @to = 'completed' THEN @now ELSE completed_at END,
         expired_at = CASE WHEN @to = 'expired' THEN @now ELSE expired_at END
       WHERE id = @id`,
    ).run({
      id,
      to,
      now,
      location: patch.location ?? null,
      size: patch.size ?? null,
      sha256: patch.sha256 ?? null,
      plainBytes: patch.plainBytes ?? null,
      files: patch.files ?? null,
      setError: patch.error === undefined ? 0 : 1,
      error: patch.error ?? null,
    });
    return this.require(id);
  }

  recordVerify(id: string, result: string): BackupArchive {
    this.#q('UPDATE backup_archives SET last_verified_at = ?, last_verify = ? WHERE id = ?').run(
      isoNow(this.#clock),
      result,
      id,
    );
    return this.require(id);
  }

  recordDrill(id: string): void {
    this.#q('UPDATE backup_archives SET last_drilled_at = ? WHERE id = ?').run(isoNow(this.#clock), id);
  }

  get(id: string): BackupArchive | null {
    const row = this.#q('SELECT * FROM backup_archives WHERE id = ?').get(id) as Row | undefined;
    return row ? toArchive(row) : null;
  }

  require(id: string): BackupArchive {
    const a = this.get(id);
    if (!a) throw new StewardError('E_NOT_FOUND', `no backup archive ${id}`);
    return a;
  }

  /** By id, id prefix, run id or file name; several matches (one per target) come back together. */
  find(ref: string): BackupArchive[] {
    const rows = this.#q(
      `SELECT * FROM backup_archives WHERE id = @ref OR run_id = @ref OR file_name = @ref
         OR (length(@ref) >= 6 AND id LIKE @ref || '%')
       ORDER BY created_at DESC, target`,
    ).all({ ref }) as Row[];
    return rows.map(toArchive);
  }

  /** Newest first. */
  list(options: { job?: string; target?: string; states?: ArchiveState[]; limit?: number } = {}) {
    const rows = this.#q(
      `SELECT * FROM backup_archives WHERE (@job IS NULL OR job = @job) AND (@target IS NULL OR target = @target)
       ORDER BY created_at DESC, id DESC LIMIT @limit`,
    ).all({
      job: options.job ?? null,
      target: options.target ?? null,
      limit: normalizeLimit(options.limit, 1000, 100_000),
    }) as Row[];
    const states = options.states;
    return rows.map(toArchive).filter((a) => !states || states.includes(a.state));
  }

  /** Archives left `scheduled`/`in_progress` by a run that died: they never completed. */
  failOrphans(runIds: string[], reason: string): number {
    let n = 0;
    for (const runId of runIds) {
      n += this.#q(
        `UPDATE backup_archives SET state = 'failed', error = ? WHERE run_id = ? AND state IN ('scheduled', 'in_progress')`,
      ).run(reason, runId).changes;
    }
    return n;
  }
}
