import { z } from 'zod';
import { type FieldContext, fields } from '../config/fields.js';
import { compileRules, ingestRuleSchema } from './ingest/index.js';
import { isValidFilter } from './topic-filter.js';

const access = z.enum(['read', 'write', 'readwrite', 'deny']).meta({ description: 'What the rule allows.' });
const aclEntry = z
  .strictObject({
    topic: z
      .string()
      .min(1)
      .meta({ description: 'Topic filter; in patterns %u is the username, %c the client id.' }),
    access,
  })
  .meta({ description: 'One ACL rule.' });

/** `mqtt:` — the broker Steward reads telemetry from, and optionally the local Mosquitto it manages. */
export function mqttSchema(ctx: FieldContext) {
  const f = fields(ctx);
  return z
    .strictObject({
      broker: z
        .strictObject({
          url: z
            .string()
            .regex(/^mqtts?:\/\/[^/\s@]+$/, {
              message:
                'expected mqtt://host:port or mqtts://host:port (credentials go in username and password)',
            })
            .meta({ description: 'The broker to connect to.' }),
          username: z.string().min(1).optional().meta({ description: 'Username Steward connects as.' }),
          password: z
            .string()
            .min(1)
            .optional()
            .meta({ description: 'Its password; use ${ENV} or ${file:…}.' }),
          client_id: z.string().min(1).max(64).default('steward-ingest').meta({
            description:
              'Fixed client id: the broker keeps Steward’s session (and queues messages) while it restarts.',
          }),
          session_expiry: f
            .duration('How long the broker keeps the session while Steward is away (MQTT 5).')
            .prefault('7d'),
          disconnected_alert_after: f
            .duration(
              'After this long without the broker, the mqtt.disconnected event fires (alerts can use it).',
            )
            .prefault('5m'),
        })
        .optional()
        .meta({ description: 'Connection for telemetry ingestion.' }),
      mosquitto: z
        .strictObject({
          dir: f.path('Where steward.conf, passwd and acl are written (include it with include_dir).'),
          listeners: z
            .array(
              z.strictObject({
                port: z.number().int().min(1).max(65535),
                bind: z.string().min(1).default('127.0.0.1'),
              }),
            )
            .default([{ port: 1883, bind: '127.0.0.1' }])
            .meta({
              description: 'Listeners; loopback unless said otherwise (seed 004: local network only).',
            }),
          reload: z
            .union([
              z.strictObject({ pid_file: f.path('The broker’s pid file: SIGHUP re-reads passwd and acl.') }),
              z.strictObject({
                command: z.string().min(1).meta({ description: 'Command that reloads the broker.' }),
              }),
            ])
            .optional()
            .meta({ description: 'How to make the broker read the new files.' }),
          iterations: z.number().int().min(1).max(10_000_000).default(101).meta({
            description: 'PBKDF2 iterations of the $7$ hashes (101 is what Mosquitto 2.0 writes).',
          }),
          users: z
            .record(
              z.string().min(1),
              z.strictObject({
                password: z
                  .string()
                  .min(1)
                  .meta({ description: 'Use ${ENV} or ${file:…}; never written in clear.' }),
                acl: z.array(aclEntry).default([]),
              }),
            )
            .default({})
            .meta({ description: 'Broker users with their ACL rules.' }),
          patterns: z.array(aclEntry).default([]).meta({ description: 'ACL patterns for every user.' }),
        })
        .optional()
        .meta({
          description: 'A local Mosquitto whose users and ACLs Steward writes (`steward mqtt apply`).',
        }),
      ingest: z
        .array(ingestRuleSchema)
        .default([])
        .superRefine((rules, issue) => {
          try {
            compileRules(rules);
          } catch (err) {
            issue.addIssue({
              code: 'custom',
              message: (err as Error).message,
              params: { hint: 'see docs/mqtt.md' },
            });
          }
        })
        .meta({ description: 'Telemetry rules: topic patterns with named wildcards → metric samples.' }),
      retained: z
        .strictObject({
          max_age: f
            .duration(
              'A retained message older than this (as far as Steward knows) is stale: listed so, and counted in steward_mqtt_retained_stale.',
            )
            .optional(),
          protect: z
            .array(
              z
                .string()
                .min(1)
                // An invalid filter would match nothing, and so silently protect nothing.
                .refine(isValidFilter, {
                  message: 'not an MQTT topic filter',
                  params: { hint: '+ is one whole level, # only the whole last level: "homeassistant/#"' },
                })
                .meta({ description: 'A topic filter, e.g. homeassistant/#.' }),
            )
            .default([])
            .meta({ description: 'Retained messages under these filters are never cleared.' }),
          scan_every: f
            .duration(
              'How often the daemon reads the broker’s retained messages, so their age becomes known.',
            )
            .prefault('1h'),
        })
        .optional()
        .meta({ description: 'Retained-message hygiene (`steward mqtt retained list|clear`).' }),
      selftest: z
        .strictObject({
          topic: z
            .string()
            .min(1)
            .regex(/^[^+#]+$/, { message: 'a topic to publish to, without wildcards' })
            .optional()
            .meta({
              description:
                'Where the self-test publishes; an ingest rule must cover it. Default: the first ingest rule’s topic with its wildcards filled in.',
            }),
          payload: z
            .string()
            .min(1)
            .regex(/\{value\}/, {
              message: 'the payload must contain {value}, the number the self-test waits for',
            })
            .optional()
            .meta({
              description:
                'Payload template: {value} (required), {ts_ms}, {ts} (seconds), {seq}. Default: built from the rule.',
            }),
          timeout: f.duration('How long to wait for the sample in the store.').prefault('10s'),
        })
        .optional()
        .meta({
          description: 'Publish-and-confirm self-test (`steward mqtt selftest`, check type mqtt-selftest).',
        }),
    })
    .superRefine((mqtt, issue) => {
      for (const key of ['retained', 'selftest'] as const) {
        if (mqtt[key] && !mqtt.broker) {
          issue.addIssue({
            code: 'custom',
            path: [key],
            message: `mqtt.${key} needs mqtt.broker to connect to`,
            params: {
              hint: 'add broker: { url: "mqtt://127.0.0.1:1883", username: …, password: "${MQTT_PASSWORD}" }',
            },
          });
        }
      }
      if (mqtt.selftest && mqtt.ingest.length === 0) {
        issue.addIssue({
          code: 'custom',
          path: ['selftest'],
          message: 'the self-test needs an ingest rule to cover its topic',
          params: {
            hint: 'add an ingest rule, e.g. { topic: "steward/selftest/+probe", format: number, metric: steward_mqtt_selftest }',
          },
        });
      }
      if (mqtt.ingest.length && !mqtt.broker) {
        issue.addIssue({
          code: 'custom',
          path: ['ingest'],
          message: 'ingest rules need mqtt.broker to read from',
          params: {
            hint: 'add broker: { url: "mqtt://127.0.0.1:1883", username: …, password: "${MQTT_PASSWORD}" }',
          },
        });
      }
    })
    .meta({ description: 'MQTT: broker users and ACLs, telemetry ingestion.' });
}

export type MqttConfig = z.output<ReturnType<typeof mqttSchema>>;
