import { formatDuration } from '../config/units.js';

/**
 * GFS retention planning, after `restic forget`: archives are walked newest first and each
 * count rule keeps the newest archive of each of its next N calendar buckets (UTC hours,
 * days, ISO weeks, months, years). An archive is kept when any rule keeps it, and lists every
 * rule that did. The planner only decides; deleting is the caller's business.
 *
 * Deliberate differences from restic: no "keep the oldest too when counts are left over"
 * (restic ≥ 0.17), so every kept archive is explained by a bucket; and a plan that keeps no
 * counted archive is refused with an error instead of being carried out.
 */

/** Counts are archives to keep; -1 keeps every bucket (restic's "unlimited"); 0 or absent: rule off. */
export interface RetentionPolicy {
  keep_last?: number | undefined;
  keep_hourly?: number | undefined;
  keep_daily?: number | undefined;
  keep_weekly?: number | undefined;
  keep_monthly?: number | undefined;
  keep_yearly?: number | undefined;
  /**
   * Milliseconds: keep every archive newer than this, measured back from the newest counted
   * archive that is not in the future (from `now` when all are). Anchoring on the newest
   * archive, as restic does, means backups that stop running never age out the last ones.
   */
  keep_within?: number | undefined;
}

export interface RetentionCandidate {
  id: string;
  createdAt: Date;
  /** Only 'completed' and 'validated' archives are counted; others are passed through as 'ignore'. */
  state: string;
}

/** An id that is kept whatever the policy says; `why` ends up in the reason ("protected (why)"). */
export type ProtectedArchive = string | { id: string; why: string };

export interface RetentionOptions {
  now: Date;
  /** Archives never removed, e.g. the newest validated one. Unknown or ignored ids change nothing. */
  protect?: readonly ProtectedArchive[];
}

export type RetentionAction = 'keep' | 'remove' | 'ignore';

export interface RetentionDecision {
  id: string;
  createdAt: Date;
  action: RetentionAction;
  /**
   * Why it is kept, in rule order: `last 1`, `hourly 2026-11-22T03`, `daily 2026-11-22`,
   * `weekly 2026-W47`, `monthly 2026-11`, `yearly 2026`, `within 30d`, `protected (…)`.
   * Empty for 'remove'; `state <state>` for 'ignore'.
   */
  reasons: string[];
}

export interface RetentionPlan {
  /** One per input archive, newest first (ties: greater id first). */
  decisions: RetentionDecision[];
  keep: string[];
  remove: string[];
  ignore: string[];
}

export const COUNTED_STATES: readonly string[] = ['completed', 'validated'];

type CountRule = 'last' | 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly';

const COUNT_RULES: readonly { rule: CountRule; key: keyof RetentionPolicy }[] = [
  { rule: 'last', key: 'keep_last' },
  { rule: 'hourly', key: 'keep_hourly' },
  { rule: 'daily', key: 'keep_daily' },
  { rule: 'weekly', key: 'keep_weekly' },
  { rule: 'monthly', key: 'keep_monthly' },
  { rule: 'yearly', key: 'keep_yearly' },
];

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** ISO 8601 week-year and week: weeks start on Monday, week 1 holds the year's first Thursday. */
export function isoWeek(date: Date): { year: number; week: number } {
  const day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday = 0
  // The Thursday of this week decides which year the week belongs to.
  const thursday = new Date(day + (3 - weekday) * 86_400_000);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * 86_400_000));
  return { year, week };
}

/** The UTC calendar bucket of a time for a rule, in the form used in reasons. */
export function bucketOf(rule: Exclude<CountRule, 'last'>, date: Date): string {
  const y = pad(date.getUTCFullYear(), 4);
  const m = pad(date.getUTCMonth() + 1);
  const d = pad(date.getUTCDate());
  switch (rule) {
    case 'hourly':
      return `${y}-${m}-${d}T${pad(date.getUTCHours())}`;
    case 'daily':
      return `${y}-${m}-${d}`;
    case 'weekly': {
      const { year, week } = isoWeek(date);
      return `${pad(year, 4)}-W${pad(week)}`;
    }
    case 'monthly':
      return `${y}-${m}`;
    case 'yearly':
      return y;
  }
}

function activeCount(value: number | undefined): number {
  return value === undefined ? 0 : value;
}

function checkPolicy(policy: RetentionPolicy): void {
  for (const { key } of COUNT_RULES) {
    const value = policy[key];
    if (value !== undefined && !(Number.isInteger(value) && value >= -1)) {
      throw new Error(
        `retention policy: ${key} must be a whole number ≥ 0, or -1 for unlimited (got ${value})`,
      );
    }
  }
  const within = policy.keep_within;
  if (within !== undefined && !(Number.isFinite(within) && within >= 0)) {
    throw new Error(`retention policy: keep_within must be a duration ≥ 0 (got ${within})`);
  }
  if (!isNonEmptyPolicy(policy)) {
    throw new Error(
      'refusing an empty retention policy: it keeps nothing and would delete every archive; set keep_last or keep_daily',
    );
  }
}

/** True when at least one rule can keep something: a count other than 0, or keep_within > 0. */
export function isNonEmptyPolicy(policy: RetentionPolicy): boolean {
  return COUNT_RULES.some(({ key }) => activeCount(policy[key]) !== 0) || (policy.keep_within ?? 0) > 0;
}

/** Newest first; equal times fall back to the id so the result does not depend on input order. */
export function compareNewestFirst(a: RetentionCandidate, b: RetentionCandidate): number {
  const byTime = b.createdAt.getTime() - a.createdAt.getTime();
  if (byTime !== 0) return byTime;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export function planRetention(
  archives: readonly RetentionCandidate[],
  policy: RetentionPolicy,
  opts: RetentionOptions,
): RetentionPlan {
  checkPolicy(policy);
  const seen = new Set<string>();
  for (const archive of archives) {
    if (seen.has(archive.id)) throw new Error(`retention: archive id ${archive.id} appears twice`);
    seen.add(archive.id);
    if (Number.isNaN(archive.createdAt.getTime())) {
      throw new Error(`retention: archive ${archive.id} has an invalid creation time`);
    }
  }

  const sorted = [...archives].sort(compareNewestFirst);
  const counted = sorted.filter((a) => COUNTED_STATES.includes(a.state));

  const protectedWhy = new Map<string, string>();
  for (const entry of opts.protect ?? []) {
    if (typeof entry === 'string') protectedWhy.set(entry, 'protected');
    else protectedWhy.set(entry.id, `protected (${entry.why})`);
  }

  // Archives dated after `now` (clock skew) must not anchor keep_within, or they would
  // shift the window forward and push real archives out of it.
  const nowMs = opts.now.getTime();
  const anchor = counted.find((a) => a.createdAt.getTime() <= nowMs)?.createdAt.getTime() ?? nowMs;
  const within = policy.keep_within ?? 0;

  const rules = COUNT_RULES.map(({ rule, key }) => ({
    rule,
    remaining: activeCount(policy[key]),
    lastBucket: undefined as string | undefined,
  })).filter((r) => r.remaining !== 0);

  const reasonsById = new Map<string, string[]>();
  counted.forEach((archive, index) => {
    const reasons: string[] = [];
    for (const r of rules) {
      if (r.remaining === 0) continue;
      const bucket = r.rule === 'last' ? String(index + 1) : bucketOf(r.rule, archive.createdAt);
      if (bucket === r.lastBucket) continue;
      r.lastBucket = bucket;
      if (r.remaining > 0) r.remaining--;
      reasons.push(`${r.rule} ${bucket}`);
    }
    if (within > 0 && archive.createdAt.getTime() > anchor - within) {
      reasons.push(`within ${formatDuration(within)}`);
    }
    reasonsById.set(archive.id, reasons);
  });

  if (counted.length > 0 && [...reasonsById.values()].every((reasons) => reasons.length === 0)) {
    // Not reachable with a valid policy (every active rule keeps the newest archive), but
    // this is the last line before deleting everything, so it does not trust that.
    throw new Error(`retention policy "${formatPolicy(policy)}" would remove every archive; refusing it`);
  }

  const plan: RetentionPlan = { decisions: [], keep: [], remove: [], ignore: [] };
  for (const archive of sorted) {
    const reasons = reasonsById.get(archive.id);
    let decision: RetentionDecision;
    if (reasons === undefined) {
      decision = {
        id: archive.id,
        createdAt: archive.createdAt,
        action: 'ignore',
        reasons: [`state ${archive.state}`],
      };
    } else {
      const why = protectedWhy.get(archive.id);
      if (why !== undefined) reasons.push(why);
      decision = {
        id: archive.id,
        createdAt: archive.createdAt,
        action: reasons.length ? 'keep' : 'remove',
        reasons,
      };
    }
    plan.decisions.push(decision);
    plan[decision.action].push(archive.id);
  }
  return plan;
}

/** "last 2, daily 7, weekly 4, monthly 12, yearly 2, within 30d"; -1 reads "daily unlimited". */
export function formatPolicy(policy: RetentionPolicy): string {
  const parts: string[] = [];
  for (const { rule, key } of COUNT_RULES) {
    const count = activeCount(policy[key]);
    if (count !== 0) parts.push(`${rule} ${count === -1 ? 'unlimited' : count}`);
  }
  if ((policy.keep_within ?? 0) > 0) parts.push(`within ${formatDuration(policy.keep_within ?? 0)}`);
  return parts.length ? parts.join(', ') : 'nothing';
}
