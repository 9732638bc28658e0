import net from 'node:net';
import { z } from 'zod';
import { type FieldContext, fields } from '../../../config/fields.js';

/** Fields the http, tcp and tls schemas share, so they read and validate the same way. */
export function netFields(ctx: FieldContext) {
  const f = fields(ctx);
  return {
    host: z
      .string()
      .trim()
      .min(1, { message: 'expected a host name or address' })
      .meta({ description: 'Host name or IP address to connect to.' }),
    port: z
      .int()
      .min(1, { message: 'expected a port from 1 to 65535' })
      .max(65535, { message: 'expected a port from 1 to 65535' }),
    warnDays: z
      .int()
      .min(0)
      .max(3650)
      .default(14)
      .meta({ description: 'A certificate that expires within this many days makes the check degraded.' }),
    insecureSkipVerify: z.boolean().default(false).meta({
      description:
        'Accept a certificate that is not trusted or does not match the host name (its expiry is still checked).',
    }),
    caFile: f
      .path('PEM file of a private CA to trust for this check, in addition to the public CAs.')
      .optional(),
  };
}

/** host:port, with brackets for IPv6 so the port stays readable. */
export function hostPort(host: string, port: number): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}
