import { z } from 'zod';
import { type FieldContext, fields } from '../../../config/fields.js';

export function rcloneTargetSchema(ctx: FieldContext) {
  const f = fields(ctx);
  return z
    .strictObject({
      type: z
        .literal('rclone')
        .meta({ description: 'Any storage rclone can reach (S3, B2, SFTP, WebDAV …).' }),
      remote: z.string().min(1, { message: 'expected an rclone remote' }).meta({
        description:
          'Where the archives go, as rclone writes it: a configured remote with a path ("b2:bucket/steward") or a connection string (":sftp,host=backup.example:steward").',
        hint: 'test it with: rclone lsjson <remote>',
      }),
      config_file: f
        .path('rclone config file (passed as --config). Without it rclone uses its default config file.')
        .optional(),
      flags: z.array(z.string()).optional().meta({
        description:
          'Extra rclone flags, added after Steward\'s own (so they win), e.g. ["--bwlimit", "2M", "--b2-hard-delete"].',
      }),
      binary: z
        .string()
        .min(1)
        .default('rclone')
        .meta({ description: 'The rclone executable (name or path).' }),
    })
    .meta({ description: 'Store archives with rclone.' });
}

export type RcloneTargetConfig = z.output<ReturnType<typeof rcloneTargetSchema>>;
