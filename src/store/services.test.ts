import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { openStore, type Store } from './db.js';

let store: Store;
let clock: ManualClock;

beforeEach(() => {
  clock = new ManualClock('2026-02-01T00:00:00.000Z');
  store = openStore({ file: ':memory:', clock });
});
afterEach(() => store.close());

describe('services', () => {
  it('adds, updates and removes to match the configuration', () => {
    expect(
      store.services.sync([
        { name: 'mosquitto', kind: 'compose', critical: true },
        { name: 'backend', kind: 'native', critical: false, description: 'API' },
      ]),
    ).toEqual({ added: ['mosquitto', 'backend'], updated: [], removed: [] });
    const [backend, mosquitto] = store.services.list();
    expect(mosquitto).toMatchObject({
      name: 'mosquitto',
      kind: 'compose',
      critical: true,
      description: null,
    });
    expect(backend).toMatchObject({
      state: 'planned',
      removedAt: null,
      createdAt: '2026-02-01T00:00:00.000Z',
    });

    clock.advance(1000);
    expect(
      store.services.sync([
        { name: 'mosquitto', kind: 'compose', critical: true },
        { name: 'backend', kind: 'native', critical: true, description: 'API' },
        { name: 'grafana', kind: 'external', critical: false },
      ]),
    ).toEqual({ added: ['grafana'], updated: ['backend'], removed: [] });
    expect(store.services.findByName('backend')).toMatchObject({
      critical: true,
      updatedAt: '2026-02-01T00:00:01.000Z',
    });
    expect(store.services.findByName('mosquitto')?.updatedAt).toBe('2026-02-01T00:00:00.000Z');

    clock.advance(1000);
    expect(store.services.sync([{ name: 'grafana', kind: 'external', critical: false }])).toEqual({
      added: [],
      updated: [],
      removed: ['backend', 'mosquitto'],
    });
    expect(store.services.list().map((s) => s.name)).toEqual(['grafana']);
    expect(store.services.list({ includeRemoved: true }).map((s) => [s.name, s.removedAt])).toEqual([
      ['backend', '2026-02-01T00:00:02.000Z'],
      ['grafana', null],
      ['mosquitto', '2026-02-01T00:00:02.000Z'],
    ]);
    // A removed service stays removed on the next sync without being reported again.
    expect(store.services.sync([{ name: 'grafana', kind: 'external', critical: false }]).removed).toEqual([]);
  });

  it('re-adding a removed service clears removed_at and keeps its id', () => {
    store.services.sync([{ name: 'influxdb', kind: 'compose', critical: true }]);
    const id = store.services.findByName('influxdb')?.id;
    store.services.sync([]);
    expect(store.services.sync([{ name: 'influxdb', kind: 'compose', critical: true }])).toEqual({
      added: ['influxdb'],
      updated: [],
      removed: [],
    });
    expect(store.services.findByName('influxdb')).toMatchObject({ id, removedAt: null });
  });

  it('rejects duplicate names and unknown kinds without writing', () => {
    expect(() =>
      store.services.sync([
        { name: 'a', kind: 'native', critical: false },
        { name: 'a', kind: 'native', critical: false },
      ]),
    ).toThrow(/listed twice/);
    expect(() => store.services.sync([{ name: 'b', kind: 'vm' as 'native', critical: false }])).toThrow(
      /kind/,
    );
    expect(store.services.list({ includeRemoved: true })).toEqual([]);
  });
});

describe('environments', () => {
  it('upserts by name and reports whether anything changed', () => {
    expect(store.environments.upsert({ name: 'blue', type: 'production' }).changed).toBe(true);
    expect(store.environments.upsert({ name: 'blue', type: 'production' }).changed).toBe(false);
    clock.advance(1000);
    const { changed, environment } = store.environments.upsert({ name: 'blue', type: 'staging' });
    expect(changed).toBe(true);
    expect(environment).toMatchObject({
      name: 'blue',
      type: 'staging',
      active: true,
      createdAt: '2026-02-01T00:00:00.000Z',
      updatedAt: '2026-02-01T00:00:01.000Z',
    });
    store.environments.upsert({ name: 'green', type: 'production' });
    expect(store.environments.list().map((e) => e.name)).toEqual(['blue', 'green']);
    expect(() => store.environments.upsert({ name: 'x', type: 'qa' as 'staging' })).toThrow(/type/);
  });
});
