import type { TokenRole } from '../store/api-tokens.js';

export type { TokenRole } from '../store/api-tokens.js';

/** viewer reads; operator also runs jobs and acknowledges; admin does everything. */
const rank: Record<TokenRole, number> = { viewer: 0, operator: 1, admin: 2 };

export function roleAllows(held: TokenRole, needed: TokenRole): boolean {
  return rank[held] >= rank[needed];
}
