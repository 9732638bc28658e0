import { z } from 'zod';
import { alertsSchema } from '../alerts/config-schema.js';
import { backupsSchema } from '../backup/config-schema.js';
import { deployReferenceIssues } from '../deploy/config-refs.js';
import {
  blueGreenSchema,
  composeSpecSchema,
  deploySchema,
  exposureSchema,
  nativeSpecSchema,
} from '../deploy/config-schema.js';
import { checksSchema, hostMetricsSchema } from '../monitor/checks/config-schema.js';
import { metricsSchema } from '../monitor/config-schema.js';
import { mqttSchema } from '../mqtt/config-schema.js';
import { policySchema } from '../policy/config-schema.js';
import { cronExpression, type FieldContext, fields, nameKey } from './fields.js';

/**
 * The one source of Steward's configuration: types, validation, defaults and the JSON
 * Schema all come from here. Each capability adds its section to `sections` below (and
 * nothing else): that is the extension point, and `steward schema`, docs/config.md and
 * the committed schema/steward.schema.json follow from it.
 */
export function configSchema(ctx: FieldContext) {
  const f = fields(ctx);

  const server = z
    .strictObject({
      listen: z
        .string()
        .regex(/^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, { message: 'expected host:port' })
        .default('127.0.0.1:8090')
        .meta({
          description: 'Address and port of the HTTP API. Loopback unless allow_insecure_remote is set.',
          hint: 'for example 127.0.0.1:8090 or [::1]:8090',
        }),
      allow_insecure_remote: z.boolean().default(false).meta({
        description:
          'Allow listening on a non-loopback address without TLS. Tokens then cross the network in clear text; put a TLS proxy in front.',
      }),
      metrics_require_token: z.boolean().default(false).meta({
        description: 'Require a bearer token (any role) on /metrics. Off by default, as Prometheus expects.',
      }),
    })
    .superRefine((value, issue) => {
      if (!value.allow_insecure_remote && !isLoopbackListen(value.listen)) {
        issue.addIssue({
          code: 'custom',
          path: ['listen'],
          message: 'refusing a non-loopback address without allow_insecure_remote: true',
          params: {
            hint: 'listen on 127.0.0.1 and put a TLS reverse proxy in front, or set server.allow_insecure_remote: true',
          },
        });
      }
    })
    .meta({ description: 'The HTTP API (JSON under /api/v1, /healthz, /readyz, /metrics).' });

  const environment = z
    .strictObject({
      name: nameKey
        .default('default')
        .meta({ description: 'Name of this environment, e.g. "home" or "site-a".' }),
      type: z
        .enum(['production', 'staging', 'development'])
        .default('production')
        .meta({ description: 'What kind of environment this box is.' }),
    })
    .meta({ description: 'The deployment environment this Steward looks after.' });

  const service = z
    .strictObject({
      kind: z.enum(['native', 'compose', 'external']).meta({
        description:
          'native: a systemd unit or process on the host; compose: a docker compose service; external: run by someone else.',
      }),
      critical: z
        .boolean()
        .default(false)
        .meta({ description: 'A critical service must be covered by alert rules.' }),
      description: z.string().optional().meta({ description: 'What the service is, for people.' }),
      compose: composeSpecSchema.optional(),
      native: nativeSpecSchema(ctx).optional(),
      strategy: z.enum(['recreate', 'blue-green']).default('recreate').meta({
        description:
          'recreate: replace in place behind the health gate; blue-green (native): run beside, switch the proxy.',
      }),
      blue_green: blueGreenSchema(ctx).optional(),
      exposure: exposureSchema(ctx).optional(),
      checks: z.array(z.string().min(1)).default([]).meta({
        description: 'Checks that gate a deployment of this service (with those whose service: is this one).',
      }),
    })
    .meta({ description: 'A service Steward knows about.' });

  const job = z
    .strictObject({
      description: z.string().optional().meta({ description: 'What the job does, for people.' }),
      schedule: cronExpression
        .optional()
        .meta({ description: 'When to run (cron). Without it the job runs only on demand.' }),
      timezone: z.string().optional().meta({
        description: 'IANA time zone for the schedule (default UTC).',
        hint: 'for example Europe/Berlin',
      }),
      run: z
        .string()
        .min(1)
        .meta({ description: 'Shell command (run with /bin/sh -c). Non-zero exit fails the run.' }),
      working_dir: f.path('Directory the command runs in (default: the config file directory).').optional(),
      env: z.record(z.string(), z.string()).optional().meta({ description: 'Extra environment variables.' }),
      timeout: f.duration('Abort the run after this long (the run is recorded failed).').optional(),
      catch_up: z.boolean().default(true).meta({
        description: 'If the daemon was down at a scheduled time, run once at start.',
      }),
      jitter: f.duration('Delay each scheduled start by a random amount up to this.').prefault('0s'),
    })
    .meta({ description: 'A command Steward runs on a schedule (a timer job, like a systemd timer).' });

  const daemon = z
    .strictObject({
      shutdown_grace: f
        .duration('On SIGTERM, how long running jobs may take to finish before they are aborted.')
        .prefault('30s'),
      log_level: z
        .enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal'])
        .default('info')
        .meta({ description: 'Least severe log level written.' }),
    })
    .meta({ description: 'How the daemon runs.' });

  const sections = {
    version: z.literal(1).meta({ description: 'Config format version. Always 1.', hint: 'write version: 1' }),
    name: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Name of this installation, shown in the API and alerts.' }),
    data_dir: f
      .path('Where Steward keeps its database, locks and state (default ./.steward beside the config).')
      .prefault('./.steward'),
    server: server.prefault({}),
    environment: environment.prefault({}),
    services: z.record(nameKey, service).default({}).meta({ description: 'Services by name.' }),
    jobs: z.record(nameKey, job).default({}).meta({ description: 'Scheduled commands by name.' }),
    daemon: daemon.prefault({}),
    backups: backupsSchema(ctx).prefault({}),
    checks: checksSchema(ctx),
    host_metrics: hostMetricsSchema(ctx).prefault({}),
    metrics: metricsSchema(ctx).prefault({}),
    alerts: alertsSchema(ctx).prefault({}),
    policy: policySchema(ctx).prefault({}),
    deploy: deploySchema(ctx).prefault({}),
    mqtt: mqttSchema(ctx).prefault({}),
  };

  return z
    .strictObject(sections)
    .superRefine((config, issue) => {
      for (const problem of deployReferenceIssues(config)) issue.addIssue({ code: 'custom', ...problem });
      for (const [name, check] of Object.entries(config.checks)) {
        if (check.type === 'mqtt-selftest' && (!config.mqtt.broker || config.mqtt.ingest.length === 0)) {
          issue.addIssue({
            code: 'custom',
            path: ['checks', name, 'type'],
            message: 'an mqtt-selftest check needs mqtt.broker and an mqtt.ingest rule covering its topic',
            params: { hint: 'see docs/mqtt.md (self-test)' },
          });
        }
      }
    })
    .meta({
      title: 'steward.yaml',
      description: 'Configuration of Steward, the local-first operations steward.',
    });
}

export type ConfigSchema = ReturnType<typeof configSchema>;
/** What a person writes. */
export type WrittenConfig = z.input<ConfigSchema>;
/** After defaults, durations (ms), sizes (bytes) and paths (absolute) are resolved. */
export type ParsedConfig = z.output<ConfigSchema>;

export function isLoopbackListen(listen: string): boolean {
  const host = listen.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function parseListen(listen: string): { host: string; port: number } {
  const match = /^(.*):(\d+)$/.exec(listen);
  if (!match) throw new Error(`not host:port: ${listen}`);
  return { host: (match[1] ?? '').replace(/^\[|\]$/g, ''), port: Number(match[2]) };
}
