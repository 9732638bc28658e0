import { z } from 'zod';
import { type FieldContext, fields } from '../../../config/fields.js';

export function localTargetSchema(ctx: FieldContext) {
  const f = fields(ctx);
  return z
    .strictObject({
      type: z
        .literal('local')
        .meta({ description: 'A directory on this machine (a local disk, a USB disk).' }),
      path: f.path(
        'Directory the archives are written to. Created when missing (if its parent exists), unless require_mount is set.',
      ),
      require_mount: z.boolean().default(false).meta({
        description:
          'Only use the target when path is a mount point (a mounted USB disk). When the disk is absent nothing is written to the empty mount directory; the target is skipped and the run marked degraded.',
      }),
    })
    .meta({ description: 'Store archives in a local directory.' });
}

export type LocalTargetConfig = z.output<ReturnType<typeof localTargetSchema>>;
