import { z } from 'zod';
import type { FieldContext } from '../../../config/fields.js';
import { fields } from '../../../config/fields.js';
import { parseSize, SIZE_PATTERN } from '../../../config/units.js';
import { commonCheckFields } from '../common-schema.js';

/** A free-space floor: a share of the filesystem ("15%") or an absolute amount ("2GiB"). */
export type FreeThreshold = { ratio: number; text: string } | { bytes: number; text: string };

const PERCENT = /^(\d+(?:\.\d+)?)\s*%$/;
const percentHint = 'a percentage such as 10% (0% to 100%)';

const percent = (description: string) =>
  z
    .string()
    .regex(PERCENT, { message: 'expected a percentage such as 10%' })
    .refine((text) => Number(PERCENT.exec(text)?.[1]) <= 100, { message: 'expected at most 100%' })
    .meta({ description, hint: percentHint })
    .transform((text) => ({ ratio: Number(PERCENT.exec(text)?.[1]) / 100, text }));

const freeSpace = (description: string) =>
  z
    .string()
    .refine((text) => PERCENT.test(text) || new RegExp(SIZE_PATTERN).test(text), {
      message: 'expected a percentage (15%) or a size (2GiB)',
    })
    .refine((text) => !PERCENT.test(text) || Number(PERCENT.exec(text)?.[1]) <= 100, {
      message: 'expected at most 100%',
    })
    .meta({ description, hint: 'a percentage of the filesystem (15%) or a size (2GiB, 500MB)' })
    .transform(
      (text): FreeThreshold =>
        PERCENT.test(text)
          ? { ratio: Number(PERCENT.exec(text)?.[1]) / 100, text }
          : { bytes: parseSize(text) as number, text },
    );

/**
 * Thresholds of different kinds (10% and 2GiB) depend on the filesystem's size, so only like
 * ones are compared. zod still runs this check when a field failed (and kept its raw string).
 */
function above(critical: FreeThreshold | string, warn: FreeThreshold | string): boolean {
  if (typeof critical !== 'object' || typeof warn !== 'object') return false;
  if ('ratio' in critical && 'ratio' in warn) return critical.ratio > warn.ratio;
  if ('bytes' in critical && 'bytes' in warn) return critical.bytes > warn.bytes;
  return false;
}

export function diskCheckSchema(ctx: FieldContext) {
  const f = fields(ctx);
  return z
    .strictObject({
      type: z.literal('disk').meta({ description: 'Free space and free inodes of a filesystem.' }),
      ...commonCheckFields(ctx),
      path: f.path('A path on the filesystem to watch (its mountpoint or any file or directory on it).'),
      warn_free: freeSpace('Below this much free space the check is degraded.').prefault('10%'),
      critical_free: freeSpace('Below this much free space the check is down.').prefault('5%'),
      warn_free_inodes: percent(
        'Below this share of free inodes the check is degraded. Ignored on filesystems without fixed inodes (btrfs).',
      ).prefault('10%'),
      critical_free_inodes: percent(
        'Below this share of free inodes the check is down. Ignored on filesystems without fixed inodes (btrfs).',
      ).prefault('5%'),
    })
    .superRefine((config, issue) => {
      if (above(config.critical_free, config.warn_free)) {
        issue.addIssue({
          code: 'custom',
          path: ['critical_free'],
          message: `critical_free (${config.critical_free.text}) must not be above warn_free (${config.warn_free.text})`,
        });
      }
      if (above(config.critical_free_inodes, config.warn_free_inodes)) {
        issue.addIssue({
          code: 'custom',
          path: ['critical_free_inodes'],
          message: `critical_free_inodes (${config.critical_free_inodes.text}) must not be above warn_free_inodes (${config.warn_free_inodes.text})`,
        });
      }
    })
    .meta({
      description:
        'Watches the free space (as an unprivileged user sees it, without the root reserve) and free inodes of the filesystem holding `path`.',
    });
}

export type DiskCheckConfig = z.output<ReturnType<typeof diskCheckSchema>>;
