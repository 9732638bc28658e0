import { z } from 'zod';
import { type FieldContext, fields } from '../../../config/fields.js';

/** "steward@example.org" or "Steward <steward@example.org>". */
const mailbox = z
  .string()
  .refine((v) => z.email().safeParse(/<([^<>]+)>\s*$/.exec(v)?.[1] ?? v.trim()).success, {
    message: 'expected an e-mail address, optionally with a name: "Steward <steward@example.org>"',
  });

export function smtpChannelSchema(ctx: FieldContext) {
  const f = fields(ctx);
  return z
    .strictObject({
      type: z.literal('smtp').meta({ description: 'Send e-mail through an SMTP server.' }),
      host: z.string().min(1).meta({ description: 'SMTP server host name or address.' }),
      port: z.number().int().min(1).max(65535).optional().meta({
        description: 'SMTP server port; default 587 (submission with STARTTLS), or 465 when secure is true.',
      }),
      secure: z.boolean().default(false).meta({
        description: 'Implicit TLS from the first byte (SMTPS, usually port 465).',
      }),
      starttls: z.boolean().default(true).meta({
        description:
          'When secure is false: require STARTTLS and fail rather than send in the clear. Set to false only for a server on a trusted network without TLS (STARTTLS is still used when offered).',
      }),
      username: z.string().min(1).optional().meta({ description: 'SMTP AUTH user name (with password).' }),
      password: z.string().min(1).optional().meta({ description: 'SMTP AUTH password (with username).' }),
      from: mailbox.meta({ description: 'Sender address, e.g. "Steward <steward@example.org>".' }),
      to: z
        .array(z.email())
        .min(1)
        .meta({ description: 'Recipient addresses (at least one); all get the same message.' }),
      subject_prefix: z.string().default('[steward]').meta({
        description: 'Put in front of every subject; "" for none.',
      }),
      tls_ca_file: f
        .path(
          'PEM file of the CA (or self-signed certificate) to trust for the server, instead of the system CAs.',
        )
        .optional(),
      insecure_skip_verify: z.boolean().default(false).meta({
        description:
          "Do not verify the server's TLS certificate. Only for testing: anyone on the path can read the mail.",
      }),
    })
    .superRefine((c, issue) => {
      if ((c.username === undefined) !== (c.password === undefined)) {
        issue.addIssue({ code: 'custom', message: 'username and password go together', path: ['password'] });
      }
    })
    .meta({ description: 'E-mail over SMTP (submission with STARTTLS, or SMTPS).' });
}

export type SmtpChannelConfig = z.output<ReturnType<typeof smtpChannelSchema>>;
