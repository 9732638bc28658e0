import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from './db.js';
import { MqttRetained } from './mqtt-retained.js';

let store: Store;
let now = Date.parse('2026-11-01T00:00:00Z');
let retained: MqttRetained;

beforeEach(() => {
  store = openStore({ file: ':memory:' });
  retained = new MqttRetained(store.db, { now: () => new Date(now) });
});
afterEach(() => store.close());

const seen = (topic: string, hash: string) => ({ topic, payloadSha256: hash, payloadBytes: 3 });

describe('MqttRetained', () => {
  it('keeps the first sighting while the payload is unchanged and restarts it on a new payload', () => {
    retained.recordScan([seen('a', 'h1'), seen('b', 'h1')], () => true);
    now += 86_400_000;
    const second = retained.recordScan([seen('a', 'h1'), seen('b', 'h2')], () => true);
    expect(second.get('a')?.firstSeen).toBe('2026-11-01T00:00:00.000Z');
    expect(second.get('a')?.lastSeen).toBe('2026-11-02T00:00:00.000Z');
    expect(second.get('b')?.firstSeen).toBe('2026-11-02T00:00:00.000Z');
  });

  it('forgets topics of the scanned scope the scan no longer saw, and only those', () => {
    retained.recordScan([seen('legacy/a', 'h'), seen('sensors/b', 'h')], () => true);
    retained.recordScan([], (topic) => topic.startsWith('legacy/'));
    expect(retained.all().map((r) => r.topic)).toEqual(['sensors/b']);
    retained.forget(['sensors/b']);
    expect(retained.all()).toEqual([]);
  });
});
