import { z } from 'zod';
import { type FieldContext, fields } from '../../../config/fields.js';
import { commonCheckFields } from '../common-schema.js';

export function sqliteCheckSchema(ctx: FieldContext) {
  const f = fields(ctx);
  return z
    .strictObject({
      type: z.literal('sqlite').meta({ description: 'An SQLite database answers a query.' }),
      ...commonCheckFields(ctx),
      path: f.path('The database file. It is opened read-only and must exist.'),
      query: z.string().min(1, { message: 'expected an SQL query' }).default('select 1').meta({
        description:
          'One SQL statement to run. The database is read-only to the check, so writing statements fail.',
        hint: 'for example "select 1" or "pragma quick_check"',
      }),
      expect: z.string().optional().meta({
        description:
          'The value the first column of the first row must have, compared as text (NULL reads as "null", blobs as hex). The check is down when it differs.',
        hint: 'for example "ok" with query "pragma quick_check"',
      }),
    })
    .meta({
      description:
        'Opens an SQLite database read-only and runs a query in a separate process, so that a locked or slow database never blocks the daemon. The busy timeout is the check’s timeout.',
    });
}

export type SqliteCheckConfig = z.output<ReturnType<typeof sqliteCheckSchema>>;
