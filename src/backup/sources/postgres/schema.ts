import { z } from 'zod';
import { type FieldContext, nameKey } from '../../../config/fields.js';

/** Options that would make the dump something other than the one custom-format file we ship. */
const reservedOption = /^(-F|--format|-f|--file|-j|--jobs|-d|--dbname)(=|$)|^-[Ffjd]./;

export function postgresSourceSchema(_ctx: FieldContext) {
  return z
    .strictObject({
      type: z.literal('postgres').meta({ description: 'A PostgreSQL database, dumped with pg_dump.' }),
      name: nameKey.meta({ description: 'Name of the source; the dump is sources/<name>/<name>.dump.' }),
      url: z
        .string()
        .regex(/^postgres(ql)?:\/\//, { message: 'expected a postgres:// or postgresql:// URL' })
        .optional()
        .meta({
          description:
            'libpq connection URL. It holds a password: write it as ${ENV_NAME} or ${file:…}. Without it, the libpq environment (PGHOST, PGUSER, PGPASSWORD, ~/.pgpass …) applies.',
          hint: 'for example ${APP_DATABASE_URL}, holding postgres://user:password@127.0.0.1:5432/app',
        }),
      database: z.string().min(1).optional().meta({
        description: 'Database to dump; overrides the database in url (or PGDATABASE).',
      }),
      pg_dump: z
        .string()
        .min(1)
        .default('pg_dump')
        .meta({ description: 'pg_dump to run; its major version must be at least the server’s.' }),
      pg_restore: z
        .string()
        .min(1)
        .default('pg_restore')
        .meta({ description: 'pg_restore to run for restores and drills (psql is looked up beside it).' }),
      options: z
        .array(
          z.string().refine((o) => !reservedOption.test(o), {
            message: 'steward sets the format, output file and database itself',
          }),
        )
        .optional()
        .meta({
          description: 'Extra pg_dump arguments, e.g. ["--exclude-table-data=audit_log"].',
          hint: 'not -F/--format, -f/--file, -j/--jobs or -d/--dbname',
        }),
    })
    .meta({
      description: 'A PostgreSQL database, dumped in pg_dump’s custom format (consistent, compressed).',
    });
}

export type PostgresSourceConfig = z.output<ReturnType<typeof postgresSourceSchema>>;
