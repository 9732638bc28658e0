import { z } from 'zod';
import type { FieldContext } from '../../../config/fields.js';
import { commonCheckFields } from '../common-schema.js';

export function postgresCheckSchema(ctx: FieldContext) {
  return z
    .strictObject({
      type: z.literal('postgres').meta({ description: 'A PostgreSQL server answers a query.' }),
      ...commonCheckFields(ctx),
      url: z
        .string()
        .regex(/^postgres(ql)?:\/\//, { message: 'expected a postgres:// or postgresql:// URL' })
        .meta({
          description:
            'libpq connection URL. It holds a password: write it as ${ENV_NAME} or ${file:…}. The password never appears in messages.',
          hint: 'for example ${PG_URL}, holding postgres://user:password@127.0.0.1:5432/app',
        }),
      query: z.string().min(1, { message: 'expected an SQL query' }).default('select 1').meta({
        description:
          'SQL to run; a check should only read. It is cancelled on the server when the check times out.',
        hint: 'for example "select 1" or "select count(*) from pg_stat_replication"',
      }),
      expect: z.string().optional().meta({
        description:
          'The value the first column of the first row must have, as PostgreSQL writes it in text ("t" for true, "null" for NULL). The check is down when it differs.',
      }),
    })
    .meta({
      description:
        'Connects to PostgreSQL (one connection, closed after each probe) and runs a query; a failed connection, login or query is down.',
    });
}

export type PostgresCheckConfig = z.output<ReturnType<typeof postgresCheckSchema>>;
