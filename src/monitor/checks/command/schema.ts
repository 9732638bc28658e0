import { z } from 'zod';
import { type FieldContext, fields } from '../../../config/fields.js';
import { commonCheckFields } from '../common-schema.js';

export function commandCheckSchema(ctx: FieldContext) {
  const f = fields(ctx);
  return z
    .strictObject({
      type: z.literal('command').meta({ description: 'A shell command whose exit code is the verdict.' }),
      ...commonCheckFields(ctx),
      run: z.string().min(1, { message: 'expected a command' }).meta({
        description:
          'Shell command, run with /bin/sh -c. Exit 0 is up; an exit code listed in degraded_exit_codes is degraded; any other exit is down. The first non-empty line of its output (stdout, else stderr) is the check’s message.',
        hint: 'for example "./check-something.sh" or "curl -fsS http://127.0.0.1:9000/ping"',
      }),
      cwd: f
        .path('Working directory of the command; the directory of steward.yaml when unset.')
        .prefault('.'),
      env: z
        .record(
          z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'expected an environment variable name' }),
          z.string(),
        )
        .default({})
        .meta({ description: 'Environment variables added to the daemon’s own for the command.' }),
      degraded_exit_codes: z.array(z.int().min(1).max(255)).default([]).meta({
        description:
          'Exit codes that mean degraded rather than down. Nagios-style plugins (1 warning, 2 critical) want [1]; then 2 and any other non-zero exit is down.',
      }),
    })
    .meta({
      description:
        'Runs a command as the leader of its own process group; on timeout the whole group (children, grandchildren) is killed, and nothing it started in the background outlives the probe.',
    });
}

export type CommandCheckConfig = z.output<ReturnType<typeof commandCheckSchema>>;
