import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../core/seeded-random.js';
import {
  bucketOf,
  compareNewestFirst,
  formatPolicy,
  planRetention,
  type RetentionCandidate,
  type RetentionPolicy,
} from './retention.js';

/** planRetention against a brute-force reference on seeded random archives and policies (split from retention.test.ts). */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function archive(id: string, at: string | number, state = 'completed'): RetentionCandidate {
  return { id, createdAt: new Date(at), state };
}

/** What each rule keeps, computed independently: group by bucket, take the newest of the first N groups. */
function referenceKept(
  archives: RetentionCandidate[],
  policy: RetentionPolicy,
  now: Date,
): Map<string, string[]> {
  const counted = archives.filter((a) => a.state === 'completed' || a.state === 'validated');
  counted.sort(compareNewestFirst);
  const out = new Map<string, string[]>();
  const add = (id: string, reason: string) => out.set(id, [...(out.get(id) ?? []), reason]);
  const rules = [
    ['last', policy.keep_last],
    ['hourly', policy.keep_hourly],
    ['daily', policy.keep_daily],
    ['weekly', policy.keep_weekly],
    ['monthly', policy.keep_monthly],
    ['yearly', policy.keep_yearly],
  ] as const;
  for (const [rule, n] of rules) {
    if (!n) continue;
    const groups = new Map<string, RetentionCandidate>();
    counted.forEach((a, i) => {
      const key = rule === 'last' ? String(i + 1) : bucketOf(rule, a.createdAt);
      if (!groups.has(key)) groups.set(key, a);
    });
    const firsts = [...groups.entries()];
    for (const [key, a] of n === -1 ? firsts : firsts.slice(0, n)) add(a.id, `${rule} ${key}`);
  }
  if (policy.keep_within) {
    const anchor = counted.find((a) => a.createdAt <= now)?.createdAt.getTime() ?? now.getTime();
    for (const a of counted) if (a.createdAt.getTime() > anchor - policy.keep_within) add(a.id, 'within');
  }
  return out;
}

describe('planRetention: property', () => {
  it('keeps exactly the union over rules, and never nothing', () => {
    const states = ['completed', 'completed', 'validated', 'failed', 'running'];
    const spans = [HOUR, DAY, 30 * DAY, 3 * 365 * DAY];
    for (let seed = 1; seed <= 300; seed++) {
      const rand = mulberry32(seed);
      const int = (n: number) => Math.floor(rand() * n);
      const now = new Date(Date.UTC(2026, 0, 1) + int(3 * 365) * DAY);
      const span = spans[int(spans.length)] ?? DAY;
      const archives: RetentionCandidate[] = [];
      const size = int(60);
      for (let i = 0; i < size; i++) {
        // a few land in the future or share a timestamp with another one
        const at =
          i > 0 && rand() < 0.05
            ? (archives[int(i)]?.createdAt.getTime() ?? 0)
            : now.getTime() - int(span) + HOUR;
        archives.push(archive(`id${String(i).padStart(3, '0')}`, at, states[int(states.length)]));
      }
      const policy: RetentionPolicy = {};
      const pick = () => [0, 1, 2, 3, 7, -1][int(6)];
      do {
        if (rand() < 0.4) policy.keep_last = pick();
        if (rand() < 0.3) policy.keep_hourly = pick();
        if (rand() < 0.4) policy.keep_daily = pick();
        if (rand() < 0.3) policy.keep_weekly = pick();
        if (rand() < 0.3) policy.keep_monthly = pick();
        if (rand() < 0.3) policy.keep_yearly = pick();
        if (rand() < 0.2) policy.keep_within = [HOUR, DAY, 10 * DAY][int(3)];
      } while (!Object.values(policy).some((v) => v !== 0));

      const plan = planRetention(archives, policy, { now });
      const expected = referenceKept(archives, policy, now);
      const context = `seed ${seed}, policy ${formatPolicy(policy)}`;

      expect(new Set(plan.keep), context).toEqual(new Set(expected.keys()));
      for (const decision of plan.decisions) {
        if (decision.action !== 'keep') continue;
        const rules = (expected.get(decision.id) ?? []).map((r) => r.split(' ')[0]);
        expect(
          decision.reasons.map((r) => r.split(' ')[0]),
          context,
        ).toEqual(rules);
        expect(
          decision.reasons.filter((r) => !r.startsWith('within')),
          context,
        ).toEqual((expected.get(decision.id) ?? []).filter((r) => r !== 'within'));
      }
      const countedIds = archives.filter((a) => a.state === 'completed' || a.state === 'validated');
      expect(plan.keep.length + plan.remove.length, context).toBe(countedIds.length);
      expect(plan.ignore.length, context).toBe(archives.length - countedIds.length);
      if (countedIds.length > 0) expect(plan.keep.length, context).toBeGreaterThan(0);
      expect(plan.decisions.map((d) => d.id)).toEqual(
        [...archives].sort(compareNewestFirst).map((a) => a.id),
      );
    }
  });
});
