import { describe, expect, it } from 'vitest';
import {
  activeWindows,
  maintenanceSchema,
  nextWindowChange,
  type WindowTiming,
  windowActive,
} from './maintenance.js';
import { matchersFromObject } from './matchers.js';

const t = (iso: string) => Date.parse(iso);
const HOUR = 3_600_000;
const schema = maintenanceSchema({ baseDir: '/' });

function issuesOf(input: unknown) {
  const result = schema.safeParse(input);
  expect(result.success).toBe(false);
  return (result.error?.issues ?? []).map((i) => ({
    path: i.path,
    message: i.message,
    hint: (i as { params?: { hint?: string } }).params?.hint,
  }));
}

describe('maintenanceSchema', () => {
  it('parses a window, resolving the duration and matchers', () => {
    const [w] = schema.parse([
      {
        name: 'nightly',
        schedule: '0 3 * * *',
        duration: '2h',
        timezone: 'Europe/Berlin',
        match: { service: '~core|db' },
      },
    ]);
    expect(w).toEqual({
      name: 'nightly',
      schedule: '0 3 * * *',
      duration: 2 * HOUR,
      timezone: 'Europe/Berlin',
      match: [{ name: 'service', op: '=~', value: 'core|db' }],
    });
  });

  it('defaults match to everything and the list to empty', () => {
    expect(schema.parse([{ schedule: '*/30 * * * * *', duration: '10s' }])[0]?.match).toEqual([]);
    expect(schema.parse(undefined)).toEqual([]);
  });

  it.each([
    [{ schedule: 'nope', duration: '2h' }, [0, 'schedule'], 'expected a cron expression'],
    [{ schedule: '0 0 3 * * * 2030', duration: '2h' }, [0, 'schedule'], 'expected 5 or 6 cron fields, got 7'],
    [{ schedule: '0 3 * * *', duration: 'soon' }, [0, 'duration'], 'expected a duration'],
    [{ schedule: '0 3 * * *', duration: '0s' }, [0, 'duration'], 'must be longer than 0'],
    [{ schedule: '0 3 * * *', duration: '2h', timezone: 'Mars/Base' }, [0, 'timezone'], 'unknown time zone'],
    [
      { schedule: '0 3 * * *', duration: '2h', match: { service: '~core(' } },
      [0, 'match', 'service'],
      'regular',
    ],
    [{ duration: '2h' }, [0, 'schedule'], ''],
  ])('reports %j at its path', (entry, path, message) => {
    const [issue, ...rest] = issuesOf([entry]);
    expect(rest).toEqual([]);
    expect(issue?.path).toEqual(path);
    expect(issue?.message).toContain(message);
  });

  it('rejects unknown keys', () => {
    expect(
      schema.safeParse([{ schedule: '0 3 * * *', duration: '2h', mathc: {} }]).error?.issues[0]?.code,
    ).toBe('unrecognized_keys');
  });
});

describe('windowActive', () => {
  const daily: WindowTiming = { schedule: '0 3 * * *', duration: 2 * HOUR };

  it.each([
    ['2024-03-10T02:59:00.000Z', false],
    ['2024-03-10T02:59:59.999Z', false],
    ['2024-03-10T03:00:00.000Z', true],
    ['2024-03-10T04:59:00.000Z', true],
    ['2024-03-10T04:59:59.999Z', true],
    ['2024-03-10T05:00:00.000Z', false],
    ['2024-03-10T12:00:00.000Z', false],
  ])('daily 03:00 for 2h (UTC by default) at %s → %s', (at, active) => {
    expect(windowActive(daily, t(at))).toBe(active);
  });

  it('spans midnight', () => {
    const late: WindowTiming = { schedule: '30 23 * * *', duration: 2 * HOUR };
    expect(windowActive(late, t('2024-03-10T23:29:59.000Z'))).toBe(false);
    expect(windowActive(late, t('2024-03-10T23:30:00.000Z'))).toBe(true);
    expect(windowActive(late, t('2024-03-11T00:30:00.000Z'))).toBe(true);
    expect(windowActive(late, t('2024-03-11T01:29:59.999Z'))).toBe(true);
    expect(windowActive(late, t('2024-03-11T01:30:00.000Z'))).toBe(false);
  });

  it('follows the time zone, including its daylight saving time', () => {
    const berlin: WindowTiming = { schedule: '0 3 * * *', duration: 2 * HOUR, timezone: 'Europe/Berlin' };
    // January: UTC+1, so 03:00 Berlin is 02:00 UTC.
    expect(windowActive(berlin, t('2024-01-15T01:59:59.999Z'))).toBe(false);
    expect(windowActive(berlin, t('2024-01-15T02:00:00.000Z'))).toBe(true);
    expect(windowActive(berlin, t('2024-01-15T03:59:59.999Z'))).toBe(true);
    expect(windowActive(berlin, t('2024-01-15T04:00:00.000Z'))).toBe(false);
    // July: UTC+2.
    expect(windowActive(berlin, t('2024-07-15T00:59:59.999Z'))).toBe(false);
    expect(windowActive(berlin, t('2024-07-15T01:00:00.000Z'))).toBe(true);
    expect(windowActive(berlin, t('2024-07-15T03:00:00.000Z'))).toBe(false);
  });

  it('handles windows longer than their interval and second-level schedules', () => {
    const overlapping: WindowTiming = { schedule: '0 * * * *', duration: 90 * 60_000 };
    expect(windowActive(overlapping, t('2024-03-10T07:59:59.999Z'))).toBe(true);
    const seconds: WindowTiming = { schedule: '*/30 * * * * *', duration: 10_000 };
    expect(windowActive(seconds, t('2024-03-10T07:00:39.999Z'))).toBe(true);
    expect(windowActive(seconds, t('2024-03-10T07:00:40.000Z'))).toBe(false);
  });
});

describe('activeWindows', () => {
  it('returns active windows whose matchers hold', () => {
    const windows = [
      {
        name: 'db',
        schedule: '0 3 * * *',
        duration: 2 * HOUR,
        match: matchersFromObject({ service: '~core|db' }),
      },
      { name: 'all', schedule: '0 3 * * *', duration: 2 * HOUR, match: [] },
      { name: 'noon', schedule: '0 12 * * *', duration: 2 * HOUR, match: [] },
    ];
    const at = t('2024-03-10T04:00:00.000Z');
    expect(activeWindows(windows, { service: 'db' }, at).map((w) => w.name)).toEqual(['db', 'all']);
    expect(activeWindows(windows, { service: 'web' }, at).map((w) => w.name)).toEqual(['all']);
    expect(
      activeWindows(windows, { service: 'db' }, t('2024-03-10T13:00:00.000Z')).map((w) => w.name),
    ).toEqual(['noon']);
  });
});

describe('nextWindowChange', () => {
  const daily: WindowTiming = { schedule: '0 3 * * *', duration: 2 * HOUR };
  const noon: WindowTiming = { schedule: '0 12 * * *', duration: HOUR };

  it('finds the next start or end strictly after now', () => {
    expect(nextWindowChange([daily], t('2024-03-10T02:59:00.000Z'))).toBe(t('2024-03-10T03:00:00.000Z'));
    expect(nextWindowChange([daily], t('2024-03-10T03:00:00.000Z'))).toBe(t('2024-03-10T05:00:00.000Z'));
    expect(nextWindowChange([daily], t('2024-03-10T04:59:59.999Z'))).toBe(t('2024-03-10T05:00:00.000Z'));
    expect(nextWindowChange([daily], t('2024-03-10T05:00:00.000Z'))).toBe(t('2024-03-11T03:00:00.000Z'));
    expect(nextWindowChange([daily, noon], t('2024-03-10T05:00:00.000Z'))).toBe(
      t('2024-03-10T12:00:00.000Z'),
    );
    expect(nextWindowChange([daily, noon], t('2024-03-10T12:30:00.000Z'))).toBe(
      t('2024-03-10T13:00:00.000Z'),
    );
    expect(nextWindowChange([], 0)).toBeNull();
  });

  it('ends across midnight and in a time zone', () => {
    const late: WindowTiming = { schedule: '30 23 * * *', duration: 2 * HOUR };
    expect(nextWindowChange([late], t('2024-03-11T00:30:00.000Z'))).toBe(t('2024-03-11T01:30:00.000Z'));
    const berlin: WindowTiming = { ...daily, timezone: 'Europe/Berlin' };
    expect(nextWindowChange([berlin], t('2024-01-15T00:00:00.000Z'))).toBe(t('2024-01-15T02:00:00.000Z'));
  });
});
