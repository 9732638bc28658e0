import { describe, expect, it } from 'vitest';
import { metaOf } from '../config/schema-nav.js';
import {
  bucketOf,
  formatPolicy,
  isoWeek,
  planRetention,
  type RetentionCandidate,
  type RetentionPlan,
} from './retention.js';
import { retentionSchema } from './retention-schema.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = new Date('2026-11-22T12:00:00Z');

function archive(id: string, at: string | number, state = 'completed'): RetentionCandidate {
  return { id, createdAt: new Date(at), state };
}

/** One archive per step from `from` (inclusive) to `to` (inclusive), ids = ISO times. */
function series(from: string, to: string, step: number): RetentionCandidate[] {
  const out: RetentionCandidate[] = [];
  for (let t = Date.parse(from); t <= Date.parse(to); t += step)
    out.push(archive(new Date(t).toISOString(), t));
  return out;
}

const kept = (plan: RetentionPlan) => plan.keep.map((id) => id.slice(0, 16));
const reasonsOf = (plan: RetentionPlan, id: string) => plan.decisions.find((d) => d.id === id)?.reasons;

describe('planRetention: restic examples', () => {
  it('one backup every Sunday for 12 weeks, daily 4: keeps the last four Sundays', () => {
    const sundays = series('2019-09-01T11:00:00Z', '2019-11-17T11:00:00Z', 7 * DAY);
    expect(sundays).toHaveLength(12);
    const plan = planRetention(sundays, { keep_daily: 4 }, { now: new Date('2019-11-18T00:00:00Z') });
    expect(kept(plan)).toEqual([
      '2019-11-17T11:00',
      '2019-11-10T11:00',
      '2019-11-03T11:00',
      '2019-10-27T11:00',
    ]);
    expect(plan.remove).toHaveLength(8);
    expect(reasonsOf(plan, '2019-11-17T11:00:00.000Z')).toEqual(['daily 2019-11-17']);
  });

  it('daily backups, daily 7 / weekly 5 / monthly 12 / yearly 75: the overlaps are kept once', () => {
    const daily = series('2024-01-01T11:00:00Z', '2026-11-22T11:00:00Z', DAY);
    const policy = { keep_daily: 7, keep_weekly: 5, keep_monthly: 12, keep_yearly: 75 };
    const plan = planRetention(daily, policy, { now: NOW });
    const days = plan.keep.map((id) => id.slice(0, 10));
    expect(days).toEqual([
      // 7 daily
      '2026-11-22',
      '2026-11-21',
      '2026-11-20',
      '2026-11-19',
      '2026-11-18',
      '2026-11-17',
      '2026-11-16',
      // 4 more weekly (the Sunday of W47 is already a daily)
      '2026-11-15',
      '2026-11-08',
      '2026-11-01',
      // 11 more monthly, the last day of each month (newest-first order interleaves them)
      '2026-10-31',
      '2026-10-25',
      '2026-09-30',
      '2026-08-31',
      '2026-07-31',
      '2026-06-30',
      '2026-05-31',
      '2026-04-30',
      '2026-03-31',
      '2026-02-28',
      '2026-01-31',
      '2025-12-31',
      // yearly: 2026 and 2025 are already kept; only three years hold archives
      '2024-12-31',
    ]);
    expect(reasonsOf(plan, '2026-11-22T11:00:00.000Z')).toEqual([
      'daily 2026-11-22',
      'weekly 2026-W47',
      'monthly 2026-11',
      'yearly 2026',
    ]);
    expect(reasonsOf(plan, '2025-12-31T11:00:00.000Z')).toEqual(['monthly 2025-12', 'yearly 2025']);
    expect(reasonsOf(plan, '2026-10-25T11:00:00.000Z')).toEqual(['weekly 2026-W43']);
    expect(plan.remove).toHaveLength(daily.length - 23);
  });

  it('hourly: the newest archive of each of the last N hours, plus last N', () => {
    const quarterHours = series('2026-11-22T06:00:00Z', '2026-11-22T10:45:00Z', HOUR / 4);
    const plan = planRetention(quarterHours, { keep_last: 2, keep_hourly: 3 }, { now: NOW });
    expect(kept(plan)).toEqual([
      '2026-11-22T10:45',
      '2026-11-22T10:30',
      '2026-11-22T09:45',
      '2026-11-22T08:45',
    ]);
    expect(plan.decisions.filter((d) => d.action === 'keep').map((d) => d.reasons)).toEqual([
      ['last 1', 'hourly 2026-11-22T10'],
      ['last 2'],
      ['hourly 2026-11-22T09'],
      ['hourly 2026-11-22T08'],
    ]);
  });

  it('only hours, days, weeks … that hold an archive count: gaps do not use up the budget', () => {
    const sparse = [
      archive('a', '2026-11-22T01:00:00Z'),
      archive('b', '2026-11-10T01:00:00Z'),
      archive('c', '2026-06-01T01:00:00Z'),
      archive('d', '2025-01-01T01:00:00Z'),
    ];
    const plan = planRetention(sparse, { keep_daily: 3 }, { now: NOW });
    expect(plan.keep).toEqual(['a', 'b', 'c']);
    expect(plan.remove).toEqual(['d']);
  });
});

describe('planRetention: buckets', () => {
  it('keeps the newest archive of a bucket and removes the rest of it', () => {
    const sameDay = [
      archive('morning', '2026-11-22T06:00:00Z'),
      archive('noon', '2026-11-22T11:59:00Z'),
      archive('night', '2026-11-22T00:01:00Z'),
      archive('yesterday-late', '2026-11-21T23:59:59Z'),
      archive('yesterday-early', '2026-11-21T00:00:00Z'),
    ];
    const plan = planRetention(sameDay, { keep_daily: 5 }, { now: NOW });
    expect(plan.keep).toEqual(['noon', 'yesterday-late']);
    expect(plan.remove).toEqual(['morning', 'night', 'yesterday-early']);
  });

  it('uses UTC calendar periods whatever offset the time was written with', () => {
    // 01:30 in Berlin on the 23rd is still the 22nd in UTC.
    const a = archive('a', '2026-11-23T01:30:00+02:00');
    const b = archive('b', '2026-11-22T20:00:00Z');
    const plan = planRetention([a, b], { keep_daily: 2 }, { now: new Date('2026-11-23T00:00:00Z') });
    expect(plan.keep).toEqual(['a']);
    expect(reasonsOf(plan, 'a')).toEqual(['daily 2026-11-22']);
  });

  it('ISO weeks: the last days of December can belong to week 53 or to week 1 of the next year', () => {
    const week = (iso: string) => {
      const { year, week } = isoWeek(new Date(iso));
      return `${year}-W${week}`;
    };
    expect(week('2026-12-31T12:00:00Z')).toBe('2026-W53');
    expect(week('2027-01-01T12:00:00Z')).toBe('2026-W53');
    expect(week('2027-01-03T23:59:59Z')).toBe('2026-W53');
    expect(week('2027-01-04T00:00:00Z')).toBe('2027-W1');
    expect(week('2024-12-30T00:00:00Z')).toBe('2025-W1');
    expect(week('2021-01-03T00:00:00Z')).toBe('2020-W53');
    expect(week('2026-01-01T00:00:00Z')).toBe('2026-W1');
    expect(week('2025-12-29T00:00:00Z')).toBe('2026-W1');
    expect(week('2026-11-22T23:59:59Z')).toBe('2026-W47');
    expect(week('2026-11-23T00:00:00Z')).toBe('2026-W48');
    expect(bucketOf('weekly', new Date('2027-01-01T00:00:00Z'))).toBe('2026-W53');
    expect(bucketOf('weekly', new Date('2027-01-04T00:00:00Z'))).toBe('2027-W01');
  });

  it('ISO weeks in a plan: archives across New Year share week 53; yearly splits them', () => {
    const archives = [
      archive('jan4', '2027-01-04T03:00:00Z'),
      archive('jan1', '2027-01-01T03:00:00Z'),
      archive('dec31', '2026-12-31T03:00:00Z'),
      archive('dec28', '2026-12-28T03:00:00Z'),
      archive('dec27', '2026-12-27T03:00:00Z'),
    ];
    const now = new Date('2027-01-05T00:00:00Z');
    const weekly = planRetention(archives, { keep_weekly: 3 }, { now });
    expect(weekly.keep).toEqual(['jan4', 'jan1', 'dec27']);
    expect(weekly.decisions.map((d) => d.reasons)).toEqual([
      ['weekly 2027-W01'],
      ['weekly 2026-W53'],
      [],
      [],
      ['weekly 2026-W52'],
    ]);
    const yearly = planRetention(archives, { keep_yearly: 2 }, { now });
    expect(yearly.keep).toEqual(['jan4', 'dec31']);
    expect(reasonsOf(yearly, 'dec31')).toEqual(['yearly 2026']);
  });

  it('year and month boundaries are at UTC midnight', () => {
    const archives = [archive('new', '2027-01-01T00:30:00Z'), archive('old', '2026-12-31T23:30:00Z')];
    const plan = planRetention(archives, { keep_hourly: 2, keep_monthly: 2 }, { now: NOW });
    expect(plan.decisions.map((d) => d.reasons)).toEqual([
      ['hourly 2027-01-01T00', 'monthly 2027-01'],
      ['hourly 2026-12-31T23', 'monthly 2026-12'],
    ]);
  });

  it('-1 keeps one archive per bucket without limit', () => {
    const threePerDay = series('2026-10-01T00:00:00Z', '2026-11-09T23:00:00Z', 8 * HOUR);
    expect(threePerDay).toHaveLength(120);
    const plan = planRetention(threePerDay, { keep_daily: -1 }, { now: NOW });
    expect(plan.keep).toHaveLength(40);
    expect(plan.keep.every((id) => id.endsWith('T16:00:00.000Z'))).toBe(true);
    expect(planRetention(threePerDay, { keep_last: -1 }, { now: NOW }).remove).toEqual([]);
  });
});

describe('planRetention: keep_within', () => {
  it('keeps everything newer than the duration, counted back from the newest archive', () => {
    // Backups stopped ten days ago: the window still covers the last 30 days of backups.
    const daily = series('2026-09-01T00:00:00Z', '2026-11-12T00:00:00Z', DAY);
    const plan = planRetention(daily, { keep_within: 30 * DAY }, { now: NOW });
    expect(plan.keep).toHaveLength(30);
    expect(plan.keep.at(-1)).toBe('2026-10-14T00:00:00.000Z');
    // exactly 30 days before the newest is outside ("newer than")
    expect(plan.remove[0]).toBe('2026-10-13T00:00:00.000Z');
    expect(reasonsOf(plan, '2026-11-12T00:00:00.000Z')).toEqual(['within 30d']);
  });

  it('an archive dated in the future is kept but does not move the window', () => {
    const archives = [
      archive('future', NOW.getTime() + 5 * DAY),
      archive('now', NOW.getTime() - HOUR),
      archive('2d', NOW.getTime() - 2 * DAY),
      archive('4d', NOW.getTime() - 4 * DAY),
    ];
    const plan = planRetention(archives, { keep_within: 3 * DAY }, { now: NOW });
    expect(plan.keep).toEqual(['future', 'now', '2d']);
    expect(plan.remove).toEqual(['4d']);
  });

  it('combines with count rules; reasons list both', () => {
    const archives = [archive('a', '2026-11-22T10:00:00Z'), archive('b', '2026-11-01T10:00:00Z')];
    const plan = planRetention(archives, { keep_last: 1, keep_within: 36 * HOUR }, { now: NOW });
    expect(plan.decisions.map((d) => d.reasons)).toEqual([['last 1', 'within 1d12h'], []]);
  });
});

describe('planRetention: states, protection and safety', () => {
  it('ignores failed and in-progress archives: never counted, never removed', () => {
    const archives = [
      archive('running', '2026-11-22T11:00:00Z', 'running'),
      archive('failed', '2026-11-22T10:00:00Z', 'failed'),
      archive('good', '2026-11-22T09:00:00Z', 'completed'),
      archive('old-failed', '2026-10-01T10:00:00Z', 'failed'),
      archive('checked', '2026-11-21T09:00:00Z', 'validated'),
      archive('older', '2026-11-20T09:00:00Z', 'completed'),
    ];
    const plan = planRetention(archives, { keep_last: 2 }, { now: NOW });
    expect(plan.decisions.map((d) => [d.id, d.action])).toEqual([
      ['running', 'ignore'],
      ['failed', 'ignore'],
      ['good', 'keep'],
      ['checked', 'keep'],
      ['older', 'remove'],
      ['old-failed', 'ignore'],
    ]);
    expect(reasonsOf(plan, 'failed')).toEqual(['state failed']);
    expect(reasonsOf(plan, 'checked')).toEqual(['last 2']);
    expect(plan.ignore).toEqual(['running', 'failed', 'old-failed']);
  });

  it('with only uncounted archives, nothing is removed and nothing is refused', () => {
    const plan = planRetention(
      [archive('x', '2026-11-22T10:00:00Z', 'failed')],
      { keep_last: 1 },
      { now: NOW },
    );
    expect(plan.decisions.map((d) => d.action)).toEqual(['ignore']);
    expect(planRetention([], { keep_last: 1 }, { now: NOW })).toEqual({
      decisions: [],
      keep: [],
      remove: [],
      ignore: [],
    });
  });

  it('always keeps protected archives and says why', () => {
    const archives = [
      archive('new', '2026-11-22T10:00:00Z'),
      archive('mid', '2026-11-15T10:00:00Z'),
      archive('validated', '2026-11-01T10:00:00Z', 'validated'),
    ];
    const plan = planRetention(
      archives,
      { keep_last: 1 },
      {
        now: NOW,
        protect: [{ id: 'validated', why: 'newest validated' }, 'new', 'unknown-id'],
      },
    );
    expect(plan.decisions.map((d) => [d.id, d.action, d.reasons])).toEqual([
      ['new', 'keep', ['last 1', 'protected']],
      ['mid', 'remove', []],
      ['validated', 'keep', ['protected (newest validated)']],
    ]);
  });

  it('refuses a policy that keeps nothing', () => {
    const archives = [archive('a', '2026-11-22T10:00:00Z')];
    expect(() => planRetention(archives, {}, { now: NOW })).toThrow(
      /empty retention policy.*delete every archive/,
    );
    expect(() => planRetention(archives, { keep_last: 0, keep_within: 0 }, { now: NOW })).toThrow(/empty/);
    // protection does not make an empty policy acceptable
    expect(() => planRetention(archives, {}, { now: NOW, protect: ['a'] })).toThrow(/empty/);
  });

  it('rejects malformed policies and inputs', () => {
    const archives = [archive('a', '2026-11-22T10:00:00Z')];
    expect(() => planRetention(archives, { keep_daily: -2 }, { now: NOW })).toThrow(/keep_daily/);
    expect(() => planRetention(archives, { keep_daily: 1.5 }, { now: NOW })).toThrow(/keep_daily/);
    expect(() => planRetention(archives, { keep_within: -1 }, { now: NOW })).toThrow(/keep_within/);
    expect(() => planRetention([...archives, archive('a', 0)], { keep_last: 1 }, { now: NOW })).toThrow(
      /twice/,
    );
    expect(() => planRetention([archive('b', Number.NaN)], { keep_last: 1 }, { now: NOW })).toThrow(
      /invalid/,
    );
  });

  it('does not depend on the order of the input; equal times order by id', () => {
    const archives = [
      archive('b', '2026-11-22T10:00:00Z'),
      archive('c', '2026-11-22T10:00:00Z'),
      archive('a', '2026-11-20T10:00:00Z'),
    ];
    const one = planRetention(archives, { keep_daily: 2 }, { now: NOW });
    const two = planRetention([...archives].reverse(), { keep_daily: 2 }, { now: NOW });
    expect(two).toEqual(one);
    expect(one.keep).toEqual(['c', 'a']);
  });
});

describe('formatPolicy', () => {
  it('lists the active rules in a fixed order', () => {
    expect(
      formatPolicy({ keep_yearly: 2, keep_daily: 7, keep_last: 2, keep_weekly: 4, keep_monthly: 12 }),
    ).toBe('last 2, daily 7, weekly 4, monthly 12, yearly 2');
    expect(formatPolicy({ keep_hourly: 0, keep_daily: -1, keep_within: 30 * DAY })).toBe(
      'daily unlimited, within 30d',
    );
    expect(formatPolicy({})).toBe('nothing');
  });
});

describe('retentionSchema', () => {
  const schema = retentionSchema({ baseDir: '/etc/steward' });

  it('parses counts and a duration', () => {
    expect(schema.parse({ keep_last: 2, keep_daily: -1, keep_within: '30d' })).toEqual({
      keep_last: 2,
      keep_daily: -1,
      keep_within: 30 * DAY,
    });
  });

  it('rejects an empty policy with a hint', () => {
    for (const input of [{}, { keep_last: 0, keep_daily: 0 }]) {
      const result = schema.safeParse(input);
      expect(result.success).toBe(false);
      const issue = result.error?.issues[0] as { message: string; params?: { hint?: string } };
      expect(issue.message).toBe('a retention policy that keeps nothing would delete every archive');
      expect(issue.params?.hint).toMatch(/set keep_last or keep_daily/);
    }
  });

  it('rejects bad counts, zero keep_within and unknown keys', () => {
    const fail = (input: unknown) =>
      schema.safeParse(input).error?.issues.map((i) => [i.path.join('.'), i.message]);
    expect(fail({ keep_last: -2 })).toEqual([['keep_last', 'expected 0 or more, or -1 for unlimited']]);
    expect(fail({ keep_last: 1.5 })).toEqual([['keep_last', 'expected a whole number']]);
    expect(fail({ keep_within: '0s' })).toEqual([['keep_within', 'a keep_within of zero keeps nothing']]);
    expect(fail({ keep_within: 'soon' })).toEqual([['keep_within', 'expected a duration']]);
    expect(fail({ keep_dayly: 3 })).toEqual([['', 'Unrecognized key: "keep_dayly"']]);
  });

  it('describes every field for the generated docs', () => {
    for (const [key, field] of Object.entries(schema.shape)) {
      expect(metaOf(field).description, key).toBeTruthy();
    }
    expect(metaOf(schema.shape.keep_daily).hint).toMatch(/-1/);
  });
});
