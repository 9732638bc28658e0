import { z } from 'zod';
import type { FieldContext } from '../../../config/fields.js';
import { commonCheckFields } from '../common-schema.js';
import { netFields } from '../net-shared/fields.js';

export function tcpCheckSchema(ctx: FieldContext) {
  const n = netFields(ctx);
  return z
    .strictObject({
      type: z.literal('tcp').meta({ description: 'Connects to a TCP port.' }),
      ...commonCheckFields(ctx),
      host: n.host,
      port: n.port.meta({ description: 'TCP port (1–65535).' }),
      send: z.string().min(1).optional().meta({
        description: 'Text written once connected (a protocol ping); use YAML escapes for line ends.',
        hint: 'for example "PING\\r\\n" for Redis',
      }),
      expect_contains: z.string().min(1).optional().meta({
        description:
          'The check is up only once the reply (its first 64 KiB) contains this text; without it, connecting is enough.',
        hint: 'for example "+PONG" for Redis, "SSH-" for an SSH banner',
      }),
    })
    .meta({
      description:
        'Up when a TCP connection opens (and, with expect_contains, the reply contains the text); latency is the connect time.',
    });
}

export type TcpCheckConfig = z.output<ReturnType<typeof tcpCheckSchema>>;
