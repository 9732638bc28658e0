import { z } from 'zod';
import { type FieldContext, fields, nameKey } from '../../../config/fields.js';

export function sqliteSourceSchema(ctx: FieldContext) {
  const f = fields(ctx);
  return z
    .strictObject({
      type: z
        .literal('sqlite')
        .meta({ description: 'An SQLite database file, copied consistently while in use.' }),
      name: nameKey.meta({
        description: 'Name of the source; its files go under sources/<name>/ in the archive.',
      }),
      path: f.path('The database file. Its -wal and -shm files are taken into account, not copied.'),
    })
    .meta({
      description:
        'An SQLite database, copied with SQLite’s online backup API: consistent even while the application writes.',
    });
}

export type SqliteSourceConfig = z.output<ReturnType<typeof sqliteSourceSchema>>;
