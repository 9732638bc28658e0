import { z } from 'zod';
import { type FieldContext, fields } from '../../../config/fields.js';

export function commandChannelSchema(ctx: FieldContext) {
  const f = fields(ctx);
  return z
    .strictObject({
      type: z.literal('command').meta({ description: 'Run a local command for each notification.' }),
      run: z.string().min(1).meta({
        description:
          'Shell command run with /bin/sh -c. It gets the notification as JSON on stdin (the webhook body) and STEWARD_ALERT_KIND, STEWARD_ALERT_TITLE, STEWARD_ALERT_TEXT in its environment; exit 0 means delivered.',
      }),
      env: z.record(z.string(), z.string()).optional().meta({
        description:
          "Extra environment variables. Values of variables named like token/secret/pass/key/auth, and any value of 8+ characters, are treated as secrets and kept out of Steward's messages.",
      }),
      cwd: f
        .path('Working directory of the command.')
        .prefault('.')
        .meta({ description: "Working directory of the command; default: steward.yaml's directory." }),
    })
    .meta({
      description: 'A local command (a script that forwards to anything Steward has no channel for).',
    });
}

export type CommandChannelConfig = z.output<ReturnType<typeof commandChannelSchema>>;
