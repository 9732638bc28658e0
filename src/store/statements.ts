import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { StewardError } from '../core/errors.js';

export type Db = Database.Database;
export type Statement = Database.Statement<unknown[], unknown>;

/**
 * Prepares each SQL text once, on first use. Lazy so a Store can be built before (or
 * without) migrations: a repository fails only when it is used on a missing table.
 */
export function statementCache(db: Db): (sql: string) => Statement {
  const cache = new Map<string, Statement>();
  return (sql) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      cache.set(sql, stmt);
    }
    return stmt;
  };
}

export function sha256hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A result size the caller can ask for: a positive integer, capped so one call cannot load a whole table. */
export function normalizeLimit(limit: number | undefined, fallback = 100, max = 10_000): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new StewardError('E_USAGE', `limit must be a positive integer, got ${limit}`);
  }
  return Math.min(limit, max);
}

/** Normalises a user-supplied instant to the stored form (UTC ISO-8601 with ms) so string comparison orders it. */
export function toIsoInstant(value: string | Date, what: string): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new StewardError('E_USAGE', `${what} is not a valid date/time: ${String(value)}`, {
      hint: 'use ISO-8601, e.g. 2026-01-31T12:00:00Z',
    });
  }
  return date.toISOString();
}

export function oneOf<const T extends string>(allowed: readonly T[], value: string, what: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new StewardError(
      'E_USAGE',
      `${what} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`,
    );
  }
  return value as T;
}

/** better-sqlite3 reports constraint failures with codes like SQLITE_CONSTRAINT_UNIQUE. */
export function isUniqueViolation(err: unknown): boolean {
  return (
    typeof err === 'object' &&
    err !== null &&
    'code' in err &&
    (err.code === 'SQLITE_CONSTRAINT_UNIQUE' || err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
  );
}
