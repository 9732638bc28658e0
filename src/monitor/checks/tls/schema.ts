import { z } from 'zod';
import type { FieldContext } from '../../../config/fields.js';
import { commonCheckFields } from '../common-schema.js';
import { netFields } from '../net-shared/fields.js';

export function tlsCheckSchema(ctx: FieldContext) {
  const n = netFields(ctx);
  return z
    .strictObject({
      type: z.literal('tls').meta({ description: 'Checks a TLS certificate: trust and days until expiry.' }),
      ...commonCheckFields(ctx),
      host: n.host,
      port: n.port.default(443).meta({ description: 'TCP port of the TLS service (1–65535).' }),
      server_name: z.string().trim().min(1).optional().meta({
        description:
          'Name sent as SNI and matched against the certificate. Default: host (no SNI when host is an IP address).',
      }),
      warn_days: n.warnDays,
      critical_days: z.int().min(0).max(3650).default(3).meta({
        description: 'A certificate that expires within this many days makes the check down.',
      }),
      insecure_skip_verify: n.insecureSkipVerify,
      ca_file: n.caFile,
    })
    .superRefine((value, issue) => {
      if (value.critical_days > value.warn_days) {
        issue.addIssue({
          code: 'custom',
          path: ['critical_days'],
          message: `critical_days (${value.critical_days}) is more than warn_days (${value.warn_days}); lower it too`,
        });
      }
    })
    .meta({
      description:
        'Connects with TLS and reports the certificate: down if untrusted, expired or within critical_days, degraded within warn_days.',
    });
}

export type TlsCheckConfig = z.output<ReturnType<typeof tlsCheckSchema>>;
