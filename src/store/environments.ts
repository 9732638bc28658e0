import { type Clock, isoNow } from '../core/clock.js';
import { StewardError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { type Db, oneOf, statementCache } from './statements.js';

export const environmentTypes = ['production', 'staging', 'development'] as const;
export type EnvironmentType = (typeof environmentTypes)[number];

export interface Environment {
  id: string;
  name: string;
  type: EnvironmentType;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

interface EnvironmentRow {
  id: string;
  name: string;
  type: EnvironmentType;
  active: 0 | 1;
  created_at: string;
  updated_at: string;
}

function toEnvironment(row: EnvironmentRow): Environment {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    active: row.active === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class Environments {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #q: ReturnType<typeof statementCache>;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    this.#q = statementCache(db);
  }

  /** Inserts or updates by name; `changed` is false when the row already said exactly this. */
  upsert(input: { name: string; type: EnvironmentType }): { changed: boolean; environment: Environment } {
    if (typeof input.name !== 'string' || input.name === '') {
      throw new StewardError('E_USAGE', 'environment name must be a non-empty string');
    }
    const type = oneOf(environmentTypes, input.type, `type of environment ${input.name}`);
    return this.#db
      .transaction(() => {
        const row = this.#find(input.name);
        if (row?.type === type) return { changed: false, environment: toEnvironment(row) };
        const now = isoNow(this.#clock);
        if (row) {
          this.#q('UPDATE environments SET type = ?, updated_at = ? WHERE id = ?').run(type, now, row.id);
        } else {
          this.#q(
            'INSERT INTO environments (id, name, type, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
          ).run(newId(), input.name, type, now, now);
        }
        return { changed: true, environment: toEnvironment(this.#find(input.name)!) };
      })
      .immediate();
  }

  /** By name. */
  list(): Environment[] {
    return (this.#q('SELECT * FROM environments ORDER BY name').all() as EnvironmentRow[]).map(toEnvironment);
  }

  #find(name: string): EnvironmentRow | undefined {
    return this.#q('SELECT * FROM environments WHERE name = ?').get(name) as EnvironmentRow | undefined;
  }
}
