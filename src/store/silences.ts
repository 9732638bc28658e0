import { type Clock, isoNow } from '../core/clock.js';
import { StewardError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { type Db, statementCache } from './statements.js';

export interface StoredMatcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

export interface SilenceRecord {
  id: string;
  matchers: StoredMatcher[];
  startsAt: string;
  endsAt: string;
  comment: string;
  createdBy: string;
  createdAt: string;
  expiredAt: string | null;
  expiredBy: string | null;
}

interface Row {
  id: string;
  matchers: string;
  starts_at: string;
  ends_at: string;
  comment: string;
  created_by: string;
  created_at: string;
  expired_at: string | null;
  expired_by: string | null;
}

const toRecord = (r: Row): SilenceRecord => ({
  id: r.id,
  matchers: JSON.parse(r.matchers) as StoredMatcher[],
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  comment: r.comment,
  createdBy: r.created_by,
  createdAt: r.created_at,
  expiredAt: r.expired_at,
  expiredBy: r.expired_by,
});

/** Silences: matchers over a time range. They end by themselves; expiring one ends it now. */
export class Silences {
  readonly #q: ReturnType<typeof statementCache>;
  readonly #clock: Clock;

  constructor(db: Db, clock: Clock) {
    this.#q = statementCache(db);
    this.#clock = clock;
  }

  create(input: {
    matchers: StoredMatcher[];
    startsAt: string;
    endsAt: string;
    comment: string;
    createdBy: string;
  }): SilenceRecord {
    if (input.matchers.length === 0) {
      throw new StewardError('E_USAGE', 'a silence needs at least one matcher', {
        hint: 'e.g. --match alertname=disk-low',
      });
    }
    if (!(input.endsAt > input.startsAt))
      throw new StewardError('E_USAGE', 'a silence must end after it starts');
    const id = newId();
    this.#q(
      `INSERT INTO silences (id, matchers, starts_at, ends_at, comment, created_by, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      id,
      JSON.stringify(input.matchers),
      input.startsAt,
      input.endsAt,
      input.comment,
      input.createdBy,
      isoNow(this.#clock),
    );
    return this.get(id) as SilenceRecord;
  }

  get(id: string): SilenceRecord | null {
    const row = this.#q('SELECT * FROM silences WHERE id = ?').get(id) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  require(ref: string): SilenceRecord {
    const rows = this.#q('SELECT * FROM silences WHERE id LIKE ? LIMIT 2').all(
      `${ref.replace(/[%_]/g, '')}%`,
    ) as Row[];
    if (rows.length === 1 && ref.length > 0) return toRecord(rows[0] as Row);
    throw new StewardError(
      rows.length ? 'E_USAGE' : 'E_NOT_FOUND',
      rows.length ? `silence id ${ref} is ambiguous` : `no silence ${ref}`,
      {
        hint: 'steward silence list shows the ids',
      },
    );
  }

  /** Not expired and not yet ended (active now or starting later); `all` adds the ended ones. */
  list(options: { all?: boolean } = {}): SilenceRecord[] {
    const rows = options.all
      ? (this.#q('SELECT * FROM silences ORDER BY created_at DESC').all() as Row[])
      : (this.#q('SELECT * FROM silences WHERE expired_at IS NULL AND ends_at > ? ORDER BY starts_at').all(
          isoNow(this.#clock),
        ) as Row[]);
    return rows.map(toRecord);
  }

  expire(id: string, actor: string): SilenceRecord {
    const current = this.require(id);
    if (current.expiredAt) throw new StewardError('E_CONFLICT', `silence ${current.id} is already expired`);
    this.#q('UPDATE silences SET expired_at = ?, expired_by = ? WHERE id = ?').run(
      isoNow(this.#clock),
      actor,
      current.id,
    );
    return this.get(current.id) as SilenceRecord;
  }
}
