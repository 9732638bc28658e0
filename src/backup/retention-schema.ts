import { z } from 'zod';
import { type FieldContext, fields } from '../config/fields.js';
import { isNonEmptyPolicy, type RetentionPolicy } from './retention.js';

const COUNT_HINT =
  'a whole number of archives to keep, 0 to turn the rule off, or -1 to keep one per bucket forever';

function count(description: string) {
  return z
    .number()
    .int({ message: 'expected a whole number' })
    .min(-1, { message: 'expected 0 or more, or -1 for unlimited' })
    .optional()
    .meta({ description, hint: COUNT_HINT });
}

/**
 * A backup retention policy, as in `restic forget`. Buckets are UTC calendar periods and
 * each count rule keeps the newest archive of each of its last N buckets that hold one;
 * an archive is kept if any rule keeps it.
 */
export function retentionSchema(ctx: FieldContext) {
  const f = fields(ctx);
  return z
    .strictObject({
      keep_last: count('Keep the newest N archives.'),
      keep_hourly: count('Keep the newest archive of each of the last N hours (UTC) that have one.'),
      keep_daily: count('Keep the newest archive of each of the last N days (UTC) that have one.'),
      keep_weekly: count('Keep the newest archive of each of the last N ISO weeks (Monday to Sunday, UTC).'),
      keep_monthly: count('Keep the newest archive of each of the last N months (UTC) that have one.'),
      keep_yearly: count('Keep the newest archive of each of the last N years (UTC) that have one.'),
      keep_within: f
        .duration(
          'Keep every archive newer than this, counted back from the newest archive (not from now, so archives do not age out while backups are failing).',
        )
        .optional(),
    })
    .superRefine(
      (policy, issue) => {
        if (policy.keep_within === 0) {
          issue.addIssue({
            code: 'custom',
            path: ['keep_within'],
            message: 'a keep_within of zero keeps nothing',
            params: { hint: 'give a positive duration such as 30d, or remove keep_within' },
          });
        } else if (!isNonEmptyPolicy(policy)) {
          issue.addIssue({
            code: 'custom',
            message: 'a retention policy that keeps nothing would delete every archive',
            params: {
              hint: 'set keep_last or keep_daily (for example keep_last: 3, keep_daily: 7), or keep_within: 30d',
            },
          });
        }
      },
      // Only judge a policy whose fields all parsed: a misspelt key or a bad value is the real problem.
      { when: (payload) => payload.issues.length === 0 },
    )
    .meta({
      description:
        'Which archives to keep (like restic forget). Archives no rule keeps are deleted; at least one rule is required.',
    });
}

export type RetentionSchema = ReturnType<typeof retentionSchema>;
/** What a person writes. */
export type WrittenRetention = z.input<RetentionSchema>;
/** After parsing: keep_within is in milliseconds; ready for `planRetention`. */
export type ParsedRetention = z.output<RetentionSchema>;

// Compile-time guard: a parsed policy must be usable by the planner as it is.
const _parsedIsPolicy = (p: ParsedRetention): RetentionPolicy => p;
void _parsedIsPolicy;
