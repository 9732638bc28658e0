import { z } from 'zod';
import { type FieldContext, fields, nameKey } from '../../../config/fields.js';
import { globProblem } from '../shared/filter.js';

const globs = z.array(
  z.string().superRefine((pattern, issue) => {
    const problem = globProblem(pattern);
    if (problem) issue.addIssue({ code: 'custom', message: problem });
  }),
);

export function pathSourceSchema(ctx: FieldContext) {
  const f = fields(ctx);
  return z
    .strictObject({
      type: z.literal('path').meta({ description: 'A directory tree on this machine.' }),
      name: nameKey.meta({
        description: 'Name of the source; its files go under sources/<name>/ in the archive.',
      }),
      path: f.path('The directory to back up.'),
      include: globs.optional().meta({
        description:
          'Keep only paths matching one of these globs (a matching directory brings everything under it). Default: everything.',
        hint: 'a pattern without "/" matches a name at any depth ("*.db"); with "/" it matches from the source path ("data/**")',
      }),
      exclude: globs.optional().meta({
        description:
          'Skip paths matching one of these globs; a pattern ending in "/" matches a directory and its contents.',
        hint: 'for example ["cache/", "*.tmp", "/logs/*.gz"]',
      }),
      one_file_system: z.boolean().default(false).meta({
        description:
          'Do not descend into other mounted filesystems under path (their mount points are kept).',
      }),
    })
    .meta({
      description:
        'Files and directories as they are: modes, times, owners and symlinks kept. Not a consistent snapshot of files being written; use a database source for databases.',
    });
}

export type PathSourceConfig = z.output<ReturnType<typeof pathSourceSchema>>;
