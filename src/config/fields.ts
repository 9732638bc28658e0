import path from 'node:path';
import { Cron } from 'croner';
import { z } from 'zod';
import { DURATION_PATTERN, parseDuration, parseSize, SIZE_PATTERN } from './units.js';

/**
 * Field builders shared by every config section. Paths resolve against the config
 * file's directory, so the schema is built per load with that directory; the JSON
 * Schema describes the written (input) form, which does not depend on it.
 */
export interface FieldContext {
  baseDir: string;
}

export const NAME_PATTERN = '^[a-z0-9][a-z0-9_.-]{0,62}$';

export function fields(ctx: FieldContext) {
  return {
    /** A duration written as `30s`, `5m`, `4h`, `7d`, `1h30m`; resolves to milliseconds. */
    duration: (description: string) =>
      z
        .string()
        .regex(new RegExp(DURATION_PATTERN), { message: 'expected a duration' })
        .meta({ description, hint: 'write a number with a unit: 250ms, 30s, 5m, 4h, 7d, 1h30m' })
        .transform((text) => parseDuration(text) as number),

    /** A size written as `512MiB`, `2GB`; resolves to bytes. */
    size: (description: string) =>
      z
        .string()
        .regex(new RegExp(SIZE_PATTERN), { message: 'expected a size' })
        .meta({ description, hint: 'write a number with a unit: 512MiB, 2GiB, 100MB' })
        .transform((text) => parseSize(text) as number),

    /** A filesystem path; relative paths are taken from the config file's directory. */
    path: (description: string) =>
      z
        .string()
        .min(1, { message: 'expected a non-empty path' })
        .meta({ description, hint: 'absolute, or relative to the directory of steward.yaml' })
        .transform((p) => path.resolve(ctx.baseDir, p)),
  };
}

export const nameKey = z.string().regex(new RegExp(NAME_PATTERN), { message: 'expected a name' }).meta({
  hint: 'names use lower-case letters, digits, "-", "_" and "." (at most 63), starting with a letter or digit',
});

export const cronExpression = z
  .string()
  .superRefine((expr, issue) => {
    try {
      new Cron(expr, { paused: true }).stop();
    } catch (err) {
      issue.addIssue({
        code: 'custom',
        message: `expected a cron expression (${(err as Error).message.replace(/\s*\('.*?'\)/, '')})`,
      });
    }
  })
  .meta({
    description: 'Cron expression: 5 fields (minute hour day month weekday) or 6 with seconds first.',
    hint: 'for example "0 3 * * *" (03:00 daily) or "*/30 * * * * *" (every 30 seconds)',
  });
