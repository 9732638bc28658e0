import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { StewardError } from '../core/errors.js';
import { hashToken } from './api-tokens.js';
import { openStore, type Store } from './db.js';

let store: Store;
let clock: ManualClock;

beforeEach(() => {
  clock = new ManualClock('2026-02-01T00:00:00.000Z');
  store = openStore({ file: ':memory:', clock });
});
afterEach(() => store.close());

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof StewardError ? err.code : `not a StewardError: ${String(err)}`;
  }
  return undefined;
}

describe('api tokens', () => {
  it('creates a token and stores only its hash', () => {
    const { token, record } = store.tokens.create({ name: 'ci', role: 'operator' });
    expect(token).toMatch(/^stw_[A-Za-z0-9_-]{43}$/);
    expect(record).toEqual({
      id: expect.any(String),
      name: 'ci',
      role: 'operator',
      createdAt: '2026-02-01T00:00:00.000Z',
      lastUsedAt: null,
      revokedAt: null,
    });
    const rows = store.db.prepare('SELECT * FROM api_tokens').all() as Record<string, unknown>[];
    expect(rows[0]?.token_hash).toBe(hashToken(token));
    expect(JSON.stringify(rows)).not.toContain(token.slice(4));
    expect(store.tokens.list()).toEqual([record]);
    expect(JSON.stringify(store.tokens.list())).not.toContain(hashToken(token));
  });

  it('authenticates an active token and records the use', () => {
    const { token, record } = store.tokens.create({ name: 'ci', role: 'viewer' });
    clock.advance(5000);
    const authed = store.tokens.authenticate(token);
    expect(authed).toEqual({ ...record, lastUsedAt: '2026-02-01T00:00:05.000Z' });
    expect(store.tokens.findByName('ci')?.lastUsedAt).toBe('2026-02-01T00:00:05.000Z');
    expect(store.tokens.authenticate(`${token}x`)).toBeNull();
    expect(store.tokens.authenticate('not-a-token')).toBeNull();
    expect(store.tokens.authenticate('')).toBeNull();
  });

  it('revokes by name or id; a revoked token no longer authenticates', () => {
    const a = store.tokens.create({ name: 'a', role: 'admin' });
    const b = store.tokens.create({ name: 'b', role: 'viewer' });
    expect(store.tokens.countActive()).toBe(2);
    clock.advance(1000);
    expect(store.tokens.revoke('a').revokedAt).toBe('2026-02-01T00:00:01.000Z');
    expect(store.tokens.revoke(b.record.id).name).toBe('b');
    expect(store.tokens.authenticate(a.token)).toBeNull();
    expect(store.tokens.authenticate(b.token)).toBeNull();
    expect(store.tokens.countActive()).toBe(0);
    expect(codeOf(() => store.tokens.revoke('a'))).toBe('E_CONFLICT');
    expect(codeOf(() => store.tokens.revoke(b.record.id))).toBe('E_CONFLICT');
    expect(codeOf(() => store.tokens.revoke('nobody'))).toBe('E_NOT_FOUND');
  });

  it('refuses a duplicate active name but allows reuse after revocation', () => {
    store.tokens.create({ name: 'deploy', role: 'operator' });
    expect(codeOf(() => store.tokens.create({ name: 'deploy', role: 'viewer' }))).toBe('E_CONFLICT');
    store.tokens.revoke('deploy');
    clock.advance(1000);
    const again = store.tokens.create({ name: 'deploy', role: 'viewer' });
    expect(store.tokens.findByName('deploy')).toEqual(again.record);
    expect(store.tokens.list()).toHaveLength(2);
    expect(store.tokens.countActive()).toBe(1);
  });

  it('validates name and role', () => {
    expect(codeOf(() => store.tokens.create({ name: 'has space', role: 'admin' }))).toBe('E_USAGE');
    expect(codeOf(() => store.tokens.create({ name: '', role: 'admin' }))).toBe('E_USAGE');
    expect(codeOf(() => store.tokens.create({ name: 'x', role: 'root' as 'admin' }))).toBe('E_USAGE');
    expect(store.tokens.findByName('x')).toBeNull();
  });
});
