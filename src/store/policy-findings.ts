import { type Clock, isoNow } from '../core/clock.js';
import { newId } from '../core/ids.js';
import { type Db, statementCache } from './statements.js';

export type PolicyFindingState = 'open' | 'excepted' | 'resolved';

/** One finding as the linter reports it, ready to be recorded. */
export interface ObservedFinding {
  fingerprint: string;
  rule: string;
  service: string;
  severity: 'error' | 'warning' | 'info';
  excepted: boolean;
  reason?: string | undefined;
  message: string;
  file: string;
  line: number;
  column: number;
}

export interface PolicyFindingRecord {
  id: string;
  rule: string;
  service: string;
  severity: 'error' | 'warning' | 'info';
  state: PolicyFindingState;
  message: string;
  file: string;
  line: number;
  column: number;
  reason: string | null;
  firstSeen: string;
  lastSeen: string;
  resolvedAt: string | null;
}

interface Row {
  id: string;
  fingerprint: string;
  rule: string;
  service: string;
  severity: 'error' | 'warning' | 'info';
  state: PolicyFindingState;
  message: string;
  file: string;
  line: number;
  col: number;
  reason: string | null;
  first_seen: string;
  last_seen: string;
  resolved_at: string | null;
}

const toRecord = (r: Row): PolicyFindingRecord => ({
  id: r.id,
  rule: r.rule,
  service: r.service,
  severity: r.severity,
  state: r.state,
  message: r.message,
  file: r.file,
  line: r.line,
  column: r.col,
  reason: r.reason,
  firstSeen: r.first_seen,
  lastSeen: r.last_seen,
  resolvedAt: r.resolved_at,
});

export interface PolicyRunSummary {
  at: string;
  files: number;
  services: number;
  opened: number;
  resolved: number;
  problems: { file: string; message: string }[];
}

export interface RecordOutcome {
  opened: PolicyFindingRecord[];
  resolved: PolicyFindingRecord[];
  changed: PolicyFindingRecord[];
}

/** Policy findings with their lifecycle: open ⇄ excepted → resolved (a later pass no longer sees it). */
export class PolicyFindings {
  readonly #db: Db;
  readonly #q: ReturnType<typeof statementCache>;
  readonly #clock: Clock;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#q = statementCache(db);
    this.#clock = clock;
  }

  /**
   * Records one complete lint pass in one transaction: new findings open, seen ones are
   * refreshed, live ones not seen any more are resolved.
   */
  record(
    observed: ObservedFinding[],
    pass: { files: number; services: number; problems: { file: string; message: string }[] },
  ): RecordOutcome {
    const now = isoNow(this.#clock);
    const outcome: RecordOutcome = { opened: [], resolved: [], changed: [] };
    this.#db.transaction(() => {
      const live = new Map(
        (this.#q("SELECT * FROM policy_findings WHERE state != 'resolved'").all() as Row[]).map((r) => [
          r.fingerprint,
          r,
        ]),
      );
      for (const f of observed) {
        const state: PolicyFindingState = f.excepted ? 'excepted' : 'open';
        const existing = live.get(f.fingerprint);
        if (existing) {
          live.delete(f.fingerprint);
          this.#q(
            `UPDATE policy_findings SET severity = ?, state = ?, message = ?, file = ?, line = ?, col = ?, reason = ?, last_seen = ?
             WHERE id = ?`,
          ).run(f.severity, state, f.message, f.file, f.line, f.column, f.reason ?? null, now, existing.id);
          if (existing.state !== state) outcome.changed.push(this.#get(existing.id));
          continue;
        }
        const id = newId();
        this.#q(
          `INSERT INTO policy_findings (id, fingerprint, rule, service, severity, state, message, file, line, col, reason, first_seen, last_seen)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          id,
          f.fingerprint,
          f.rule,
          f.service,
          f.severity,
          state,
          f.message,
          f.file,
          f.line,
          f.column,
          f.reason ?? null,
          now,
          now,
        );
        outcome.opened.push(this.#get(id));
      }
      for (const row of live.values()) {
        this.#q("UPDATE policy_findings SET state = 'resolved', resolved_at = ? WHERE id = ?").run(
          now,
          row.id,
        );
        outcome.resolved.push(this.#get(row.id));
      }
      this.#q(
        'INSERT INTO policy_runs (at, files, services, opened, resolved, problems) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(
        now,
        pass.files,
        pass.services,
        outcome.opened.length,
        outcome.resolved.length,
        JSON.stringify(pass.problems),
      );
      // Keep the run log short: status needs the latest, history lives in the findings.
      this.#q('DELETE FROM policy_runs WHERE id <= (SELECT MAX(id) FROM policy_runs) - 1000').run();
    })();
    return outcome;
  }

  #get(id: string): PolicyFindingRecord {
    return toRecord(this.#q('SELECT * FROM policy_findings WHERE id = ?').get(id) as Row);
  }

  /** Live findings (open and excepted), or every finding including resolved ones. */
  list(opts: { service?: string; includeResolved?: boolean } = {}): PolicyFindingRecord[] {
    const where: string[] = [];
    const args: string[] = [];
    if (!opts.includeResolved) where.push("state != 'resolved'");
    if (opts.service !== undefined) {
      where.push('service = ?');
      args.push(opts.service);
    }
    const sql = `SELECT * FROM policy_findings ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY service, file, line, col LIMIT 10000`;
    return (this.#q(sql).all(...args) as Row[]).map(toRecord);
  }

  lastRun(): PolicyRunSummary | null {
    const row = this.#q('SELECT * FROM policy_runs ORDER BY id DESC LIMIT 1').get() as
      | { at: string; files: number; services: number; opened: number; resolved: number; problems: string }
      | undefined;
    if (!row) return null;
    return { ...row, problems: JSON.parse(row.problems) as { file: string; message: string }[] };
  }
}
