import { z } from 'zod';
import { type FieldContext, fields, nameKey } from '../../../config/fields.js';

export function commandSourceSchema(ctx: FieldContext) {
  const f = fields(ctx);
  return (
    z
      .strictObject({
        type: z
          .literal('command')
          .meta({ description: 'Whatever a command produces (an export, a dump tool).' }),
        name: nameKey.meta({
          description: 'Name of the source; its files go under sources/<name>/ in the archive.',
        }),
        run: z.string().min(1).meta({
          description:
            'Shell command (/bin/sh -c). {dir} is replaced by an empty directory for its files (already quoted; also in $STEWARD_DIR); non-zero exit fails the backup.',
          hint: 'for example "mysqldump --single-transaction app > {dir}/app.sql", or "redis-cli --rdb -" with output: stdout',
        }),
        output: z.enum(['dir', 'stdout']).optional().meta({
          description:
            'dir: back up the files the command writes into {dir}; stdout: back up its standard output (as the file "stdout"). Default: dir if run mentions {dir}, else stdout.',
        }),
        timeout: f.duration('Abort the command after this long (the backup fails).').optional(),
        restore: z.string().min(1).optional().meta({
          description: 'Shell command that puts the data back; {dir} is the restored directory.',
          hint: 'for example "mysql app < {dir}/app.sql"',
        }),
        check: z.string().min(1).optional().meta({
          description:
            'Shell command a restore drill runs to prove the data usable; {dir} is the restored directory.',
        }),
      })
      .superRefine((value, issue) => {
        if (value.output === 'dir' && !value.run.includes('{dir}')) {
          issue.addIssue({
            code: 'custom',
            path: ['run'],
            message: 'output: dir needs {dir} in run, where the command writes its files',
          });
        }
      })
      // The default depends on run, so it is filled in after parsing rather than with .default().
      .transform((value) => ({
        ...value,
        output: value.output ?? (value.run.includes('{dir}') ? ('dir' as const) : ('stdout' as const)),
      }))
      .meta({
        description: 'Backs up the output of a command: files it writes into {dir}, or its standard output.',
      })
  );
}

export type CommandSourceConfig = z.output<ReturnType<typeof commandSourceSchema>>;
