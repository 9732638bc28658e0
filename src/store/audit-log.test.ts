import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../core/canonical-json.js';
import { ManualClock } from '../core/clock.js';
import { auditHash, GENESIS_HASH } from './audit-log.js';
import { openStore, type Store } from './db.js';
import { sha256hex } from './statements.js';

let dir: string;
let file: string;
let store: Store;
let clock: ManualClock;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-audit-'));
  file = path.join(dir, 'steward.db');
  clock = new ManualClock('2026-02-01T00:00:00.000Z');
  store = openStore({ file, clock });
});

afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function appendSome(n: number): void {
  for (let i = 1; i <= n; i++) {
    store.audit.append({
      actor: 'cli:alice',
      action: 'backup.run',
      target: `job-${i}`,
      details: { i, tags: ['a'] },
    });
    clock.advance(1000);
  }
}

/** An attacker with file access: a second connection that removes the guards first. */
function tamper(sql: string): void {
  const raw = new Database(file);
  try {
    raw.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
    raw.exec(sql);
  } finally {
    raw.close();
  }
}

describe('audit log', () => {
  it('appends hash-chained entries', () => {
    const first = store.audit.append({
      actor: 'token:ci',
      action: 'token.create',
      target: 'token:deploy',
      details: { role: 'operator', z: 1, a: { y: 2, x: 1 } },
    });
    expect(first).toMatchObject({ seq: 1, ts: '2026-02-01T00:00:00.000Z', prevHash: GENESIS_HASH });
    const expected = sha256hex(
      canonicalJson({
        id: first.id,
        ts: first.ts,
        actor: 'token:ci',
        action: 'token.create',
        target: 'token:deploy',
        details: { role: 'operator', z: 1, a: { y: 2, x: 1 } },
        prev_hash: GENESIS_HASH,
      }),
    );
    expect(first.hash).toBe(expected);
    expect(auditHash(first)).toBe(expected);
    const second = store.audit.append({ actor: 'system', action: 'daemon.start', target: 'daemon' });
    expect(second).toMatchObject({ seq: 2, prevHash: first.hash, details: {} });
  });

  it('stores details as they will be read back (Dates become strings, undefined is dropped)', () => {
    const at = new Date('2026-01-01T00:00:00.000Z');
    const entry = store.audit.append({
      actor: 'system',
      action: 'x',
      target: 'y',
      details: { at, gone: undefined },
    });
    expect(entry.details).toEqual({ at: '2026-01-01T00:00:00.000Z' });
    expect(store.audit.list()[0]?.details).toEqual(entry.details);
    expect(store.audit.verify().ok).toBe(true);
  });

  it('rejects empty actor/action/target and non-object details', () => {
    expect(() => store.audit.append({ actor: '', action: 'a', target: 't' })).toThrow(/actor/);
    expect(() =>
      store.audit.append({
        actor: 'system',
        action: 'a',
        target: 't',
        details: [1] as unknown as Record<string, unknown>,
      }),
    ).toThrow(/JSON object/);
  });

  it('lists newest first, filtered by since and action', () => {
    appendSome(5);
    store.audit.append({ actor: 'system', action: 'daemon.start', target: 'daemon' });
    expect(store.audit.list().map((e) => e.seq)).toEqual([6, 5, 4, 3, 2, 1]);
    expect(store.audit.list({ limit: 2 }).map((e) => e.seq)).toEqual([6, 5]);
    expect(store.audit.list({ action: 'daemon.start' }).map((e) => e.seq)).toEqual([6]);
    expect(store.audit.list({ since: '2026-02-01T00:00:03Z' }).map((e) => e.seq)).toEqual([6, 5, 4]);
    expect(
      store.audit.list({ since: new Date('2026-02-01T00:00:03Z'), action: 'backup.run' }).map((e) => e.seq),
    ).toEqual([5, 4]);
    expect(() => store.audit.list({ since: 'yesterday' })).toThrow(/not a valid date/);
    expect(() => store.audit.list({ limit: 0 })).toThrow(/positive integer/);
  });

  it('verifies an intact chain and returns its head', () => {
    expect(store.audit.verify()).toEqual({ ok: true, rows: 0, head: GENESIS_HASH });
    appendSome(4);
    const head = store.audit.list({ limit: 1 })[0]?.hash;
    expect(store.audit.verify()).toEqual({ ok: true, rows: 4, head });
  });

  it('rejects UPDATE and DELETE through the triggers', () => {
    appendSome(2);
    expect(() => store.db.prepare("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1").run()).toThrow(
      'audit_log is append-only',
    );
    expect(() => store.db.prepare('DELETE FROM audit_log WHERE seq = 2').run()).toThrow(
      'audit_log is append-only',
    );
    expect(store.audit.verify()).toMatchObject({ ok: true, rows: 2 });
  });

  it('detects edited details', () => {
    appendSome(5);
    tamper(`UPDATE audit_log SET details = '{"i":99,"tags":["a"]}' WHERE seq = 3`);
    const result = store.audit.verify();
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.rows).toBe(2);
    expect(result.firstBad).toMatchObject({ seq: 3, reason: 'hash' });
    expect(result.firstBad.message).toContain('seq 3');
  });

  it('detects a rewritten row whose hash was recomputed, at the next link', () => {
    appendSome(4);
    const [row2] = store.audit.list().filter((e) => e.seq === 2);
    if (!row2) throw new Error('missing row');
    const forged = { ...row2, actor: 'cli:mallory' };
    tamper(`UPDATE audit_log SET actor = 'cli:mallory', hash = '${auditHash(forged)}' WHERE seq = 2`);
    expect(store.audit.verify()).toMatchObject({ ok: false, rows: 2, firstBad: { seq: 3, reason: 'link' } });
  });

  it('detects a deleted middle row', () => {
    appendSome(5);
    tamper('DELETE FROM audit_log WHERE seq = 3');
    expect(store.audit.verify()).toMatchObject({ ok: false, rows: 2, firstBad: { seq: 4, reason: 'gap' } });
  });

  it('detects a deleted first row', () => {
    appendSome(3);
    tamper('DELETE FROM audit_log WHERE seq = 1');
    expect(store.audit.verify()).toMatchObject({ ok: false, rows: 0, firstBad: { seq: 2, reason: 'gap' } });
  });

  it('keeps the chain across reopen', () => {
    appendSome(2);
    store.close();
    store = openStore({ file, clock });
    appendSome(2);
    expect(store.audit.verify()).toMatchObject({ ok: true, rows: 4 });
  });
});
