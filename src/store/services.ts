import { type Clock, isoNow } from '../core/clock.js';
import { StewardError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { type Db, oneOf, statementCache } from './statements.js';

export const serviceKinds = ['native', 'compose', 'external'] as const;
export type ServiceKind = (typeof serviceKinds)[number];

/** What the configuration says a service is. */
export interface ServiceSpec {
  name: string;
  kind: ServiceKind;
  critical: boolean;
  description?: string | null;
}

export interface Service {
  id: string;
  name: string;
  kind: ServiceKind;
  critical: boolean;
  description: string | null;
  /** Lifecycle state, owned by deploy; starts as 'planned'. */
  state: string;
  createdAt: string;
  updatedAt: string;
  /** Set when the service left the configuration. */
  removedAt: string | null;
}

export interface ServiceSyncResult {
  added: string[];
  updated: string[];
  removed: string[];
}

interface ServiceRow {
  id: string;
  name: string;
  kind: ServiceKind;
  critical: 0 | 1;
  description: string | null;
  state: string;
  created_at: string;
  updated_at: string;
  removed_at: string | null;
}

function toService(row: ServiceRow): Service {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    critical: row.critical === 1,
    description: row.description,
    state: row.state,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    removedAt: row.removed_at,
  };
}

/** The services the configuration declares; rows are never deleted, so history keeps its references. */
export class Services {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #q: ReturnType<typeof statementCache>;

  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#clock = clock;
    this.#q = statementCache(db);
  }

  /**
   * Makes the table match the configuration: new names are added, changed ones updated,
   * missing ones marked removed. A service that comes back counts as added.
   */
  sync(specs: readonly ServiceSpec[]): ServiceSyncResult {
    const wanted = new Map<string, ServiceSpec>();
    for (const spec of specs) {
      if (typeof spec.name !== 'string' || spec.name === '') {
        throw new StewardError('E_USAGE', 'service name must be a non-empty string');
      }
      if (wanted.has(spec.name)) throw new StewardError('E_USAGE', `service ${spec.name} is listed twice`);
      oneOf(serviceKinds, spec.kind, `kind of service ${spec.name}`);
      wanted.set(spec.name, spec);
    }
    return this.#db
      .transaction((): ServiceSyncResult => {
        const now = isoNow(this.#clock);
        const existing = new Map(
          (this.#q('SELECT * FROM services').all() as ServiceRow[]).map((row) => [row.name, row]),
        );
        const result: ServiceSyncResult = { added: [], updated: [], removed: [] };
        for (const spec of wanted.values()) {
          const row = existing.get(spec.name);
          const values = {
            name: spec.name,
            kind: spec.kind,
            critical: spec.critical ? 1 : 0,
            description: spec.description ?? null,
            now,
          };
          if (!row) {
            this.#q(
              `INSERT INTO services (id, name, kind, critical, description, created_at, updated_at)
               VALUES (@id, @name, @kind, @critical, @description, @now, @now)`,
            ).run({ id: newId(), ...values });
            result.added.push(spec.name);
            continue;
          }
          const changed =
            row.kind !== values.kind ||
            row.critical !== values.critical ||
            row.description !== values.description;
          if (!changed && row.removed_at === null) continue;
          this.#q(
            `UPDATE services SET kind = @kind, critical = @critical, description = @description,
               updated_at = @now, removed_at = NULL WHERE name = @name`,
          ).run(values);
          (row.removed_at === null ? result.updated : result.added).push(spec.name);
        }
        for (const row of existing.values()) {
          if (wanted.has(row.name) || row.removed_at !== null) continue;
          this.#q('UPDATE services SET removed_at = @now, updated_at = @now WHERE id = @id').run({
            now,
            id: row.id,
          });
          result.removed.push(row.name);
        }
        result.removed.sort();
        return result;
      })
      .immediate();
  }

  /** By name; removed services only when asked. */
  list(options: { includeRemoved?: boolean } = {}): Service[] {
    const sql = options.includeRemoved
      ? 'SELECT * FROM services ORDER BY name'
      : 'SELECT * FROM services WHERE removed_at IS NULL ORDER BY name';
    return (this.#q(sql).all() as ServiceRow[]).map(toService);
  }

  findByName(name: string): Service | null {
    const row = this.#q('SELECT * FROM services WHERE name = ?').get(name) as ServiceRow | undefined;
    return row ? toService(row) : null;
  }
}
