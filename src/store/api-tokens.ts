import { randomBytes } from 'node:crypto';
import { type Clock, isoNow } from '../core/clock.js';
import { StewardError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { type Db, isUniqueViolation, oneOf, sha256hex, statementCache } from './statements.js';

export const tokenRoles = ['admin', 'operator', 'viewer'] as const;
export type TokenRole = (typeof tokenRoles)[number];

export const TOKEN_PREFIX = 'stw_';

/** A token as stored; the secret itself is never kept, only its hash (and that is never returned). */
export interface ApiToken {
  id: string;
  name: string;
  role: TokenRole;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

interface TokenRow {
  id: string;
  name: string;
  role: TokenRole;
  token_hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

// Names end up in actor strings (`token:<name>`) and on command lines.
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * Plain SHA-256 is enough: tokens carry 256 random bits, so there is nothing to
 * brute-force, and lookup by hash needs no constant-time comparison.
 */
export function hashToken(token: string): string {
  return sha256hex(token);
}

function toRecord(row: TokenRow): ApiToken {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export class ApiTokens {
  readonly #clock: Clock;
  readonly #q: ReturnType<typeof statementCache>;

  constructor(db: Db, clock: Clock) {
    this.#clock = clock;
    this.#q = statementCache(db);
  }

  /** Returns the secret once; only its hash is stored. */
  create(input: { name: string; role: TokenRole }): { token: string; record: ApiToken } {
    if (typeof input.name !== 'string' || !NAME.test(input.name)) {
      throw new StewardError('E_USAGE', `invalid token name ${JSON.stringify(input.name)}`, {
        hint: 'use 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit',
      });
    }
    const role = oneOf(tokenRoles, input.role, 'token role');
    if (this.#activeByName(input.name)) throw this.#duplicate(input.name);
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const row: TokenRow = {
      id: newId(),
      name: input.name,
      role,
      token_hash: hashToken(token),
      created_at: isoNow(this.#clock),
      last_used_at: null,
      revoked_at: null,
    };
    try {
      this.#q(
        `INSERT INTO api_tokens (id, name, role, token_hash, created_at, last_used_at, revoked_at)
         VALUES (@id, @name, @role, @token_hash, @created_at, @last_used_at, @revoked_at)`,
      ).run(row);
    } catch (err) {
      // Another process created the same name between our check and the insert.
      if (isUniqueViolation(err)) throw this.#duplicate(input.name);
      throw err;
    }
    return { token, record: toRecord(row) };
  }

  /** Every token, active and revoked, oldest first. */
  list(): ApiToken[] {
    return (this.#q('SELECT * FROM api_tokens ORDER BY created_at, id').all() as TokenRow[]).map(toRecord);
  }

  /** The active token with this name, else the most recent revoked one, else null. */
  findByName(name: string): ApiToken | null {
    const row = this.#q(
      'SELECT * FROM api_tokens WHERE name = ? ORDER BY revoked_at IS NOT NULL, created_at DESC, id DESC LIMIT 1',
    ).get(name) as TokenRow | undefined;
    return row ? toRecord(row) : null;
  }

  countActive(): number {
    return (this.#q('SELECT count(*) AS n FROM api_tokens WHERE revoked_at IS NULL').get() as { n: number })
      .n;
  }

  /** Revokes by id, or by name (the active token of that name). */
  revoke(nameOrId: string): ApiToken {
    const byId = this.#q('SELECT * FROM api_tokens WHERE id = ?').get(nameOrId) as TokenRow | undefined;
    const row = byId ?? this.#activeByName(nameOrId);
    if (!row) {
      if (this.findByName(nameOrId)) {
        throw new StewardError('E_CONFLICT', `token ${nameOrId} is already revoked`);
      }
      throw new StewardError('E_NOT_FOUND', `no token named ${nameOrId}`, {
        hint: 'list tokens to see their names and ids',
      });
    }
    if (row.revoked_at)
      throw new StewardError('E_CONFLICT', `token ${row.name} (${row.id}) is already revoked`);
    const now = isoNow(this.#clock);
    this.#q('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, row.id);
    return toRecord({ ...row, revoked_at: now });
  }

  /** The active token this secret belongs to, or null; records the use. */
  authenticate(token: string): ApiToken | null {
    if (typeof token !== 'string' || !token.startsWith(TOKEN_PREFIX)) return null;
    const row = this.#q('SELECT * FROM api_tokens WHERE token_hash = ?').get(hashToken(token)) as
      | TokenRow
      | undefined;
    if (!row || row.revoked_at !== null) return null;
    const now = isoNow(this.#clock);
    this.#q('UPDATE api_tokens SET last_used_at = ? WHERE id = ?').run(now, row.id);
    return toRecord({ ...row, last_used_at: now });
  }

  #activeByName(name: string): TokenRow | undefined {
    return this.#q('SELECT * FROM api_tokens WHERE name = ? AND revoked_at IS NULL').get(name) as
      | TokenRow
      | undefined;
  }

  #duplicate(name: string): StewardError {
    return new StewardError('E_CONFLICT', `an active token named ${name} already exists`, {
      hint: 'revoke it first, or choose another name',
    });
  }
}
