import { z } from 'zod';
import { type FieldContext, fields } from '../config/fields.js';

const relativeFile = z
  .string()
  .min(1)
  .refine((p) => !p.split(/[\\/]/).includes('..'), { message: 'must not leave the stack directory' })
  .meta({ hint: 'a path relative to the stack (the git path, or the directory of steward.yaml)' });

/** `services.<name>.compose` — which compose project and services a Steward service is. */
export const composeSpecSchema = z
  .strictObject({
    files: z.array(relativeFile).min(1).default(['compose.yaml']).meta({
      description: 'Compose files, merged in order as `docker compose -f` merges them.',
    }),
    project: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_-]*$/, { message: 'expected a compose project name' })
      .optional()
      .meta({ description: 'Compose project name (default: the name of steward.yaml’s directory).' }),
    services: z.array(z.string().min(1)).min(1).optional().meta({
      description: 'The compose services this Steward service covers (default: the one with its name).',
    }),
  })
  .meta({ description: 'The compose services a compose-kind service deploys.' });

export function nativeSpecSchema(ctx: FieldContext) {
  const f = fields(ctx);
  return z
    .strictObject({
      source: relativeFile.optional().meta({
        description:
          'The release in the stack: a directory or .tar.gz relative to it (default: a directory with the service name).',
      }),
      releases_dir: f.path('Where releases are unpacked, one directory per version.'),
      current: f.path('The symlink that points at the live release.'),
      keep: z
        .number()
        .int()
        .min(2)
        .default(3)
        .meta({ description: 'Releases kept (the live one and the one before it at least).' }),
      run: z.string().min(1).meta({
        description:
          'Command that runs the service, in the release directory; {port} is the port to listen on.',
        hint: 'for example "./bin/api --port {port}"',
      }),
      env_file: f.path('Environment file for the process (KEY=value lines).').optional(),
      runner: z.enum(['supervised', 'systemd']).default('supervised').meta({
        description:
          'supervised: Steward runs and restarts the process; systemd: a unit from `steward systemd unit`.',
      }),
      port: z.number().int().min(1).max(65535).optional().meta({
        description: 'Port for {port} when the strategy is not blue-green.',
      }),
      user: z.string().min(1).optional().meta({ description: 'systemd runner: User= of the unit.' }),
      watchdog: f
        .duration('systemd runner: WatchdogSec= (the service must send sd_notify WATCHDOG=1).')
        .optional(),
      log_max_size: f.size('Supervised runner: rotate the log file at this size.').prefault('10MiB'),
      log_files: z
        .number()
        .int()
        .min(1)
        .default(5)
        .meta({ description: 'Supervised runner: rotated log files kept.' }),
    })
    .meta({ description: 'How a native service is released and run.' });
}

export function blueGreenSchema(ctx: FieldContext) {
  const f = fields(ctx);
  return z
    .strictObject({
      ports: z
        .tuple([z.number().int().min(1).max(65535), z.number().int().min(1).max(65535)])
        .refine(([a, b]) => a !== b, { message: 'the two ports must differ' })
        .meta({ description: 'The two ports the colours take turns on.' }),
      listen: z
        .string()
        .regex(/^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, { message: 'expected host:port' })
        .meta({ description: 'Where Steward’s reverse proxy listens and forwards to the live colour.' }),
      health_path: z.string().startsWith('/').default('/').meta({
        description: 'Path probed on the new colour before traffic switches (any 2xx passes).',
      }),
      drain_timeout: f
        .duration('How long requests in flight on the old colour may take to finish.')
        .prefault('30s'),
    })
    .meta({ description: 'Blue/green ports and the proxy in front of them.' });
}

export function exposureSchema(ctx: FieldContext) {
  const f = fields(ctx);
  return z
    .strictObject({
      on_healthy: z.string().min(1).optional().meta({
        description: 'Shell command run when the service becomes healthy (all its checks up).',
        hint: 'for example "tailscale funnel --bg 8085"',
      }),
      on_unhealthy: z.string().min(1).optional().meta({
        description: 'Shell command run when it stops being healthy (a check down or degraded).',
        hint: 'for example "tailscale funnel reset"',
      }),
      debounce: f.duration('A new health must hold this long before its command runs.').prefault('30s'),
    })
    .meta({ description: 'Commands that expose a service only while it is healthy (seed 002’s funnel).' });
}

/** `deploy:` — where the desired state comes from and what must hold before and after. */
export function deploySchema(ctx: FieldContext) {
  const f = fields(ctx);
  const git = z
    .strictObject({
      url: z
        .string()
        .min(1)
        .meta({ description: 'Any URL git understands (file://, ssh://, https://, a path).' }),
      branch: z.string().min(1).default('main').meta({ description: 'Branch to follow.' }),
      path: z.string().default('').meta({ description: 'Directory of the stack inside the repository.' }),
      poll: f
        .duration('How often to fetch (0s: once at start, then only on webhook or by hand).')
        .prefault('60s'),
      ssh_key_file: f.path('Private key for ssh:// URLs.').optional(),
    })
    .meta({ description: 'A git repository holding the stack.' });
  return z
    .strictObject({
      source: z
        .strictObject({ git: git.optional() })
        .prefault({})
        .meta({ description: 'Desired state: a git repository; without it the files beside steward.yaml.' }),
      webhook: z
        .strictObject({
          provider: z
            .enum(['github', 'gitea', 'gitlab'])
            .meta({ description: 'Who sends the push webhook.' }),
          secret: z.string().min(16, { message: 'use a secret of 16 characters or more' }).meta({
            description: 'Shared secret (HMAC key, or GitLab’s token). Use ${ENV}.',
          }),
        })
        .optional()
        .meta({ description: 'POST /hooks/deploy: signed push webhooks trigger a deployment.' }),
      gate: z
        .strictObject({
          policy: z.enum(['error', 'warning', 'info', 'off']).default('error').meta({
            description: 'Compose policy findings at or above this severity block a deployment.',
          }),
          backups: z.array(z.string().min(1)).default([]).meta({
            description: 'Backup jobs that must complete before anything changes (a recovery point).',
          }),
          health_timeout: f.duration('How long a new deployment has to pass its checks.').prefault('120s'),
          consecutive_passes: z.number().int().min(1).default(3).meta({
            description: 'Passes in a row that make a deployment Live.',
          }),
          check_interval: f.duration('Time between health probes during the gate.').prefault('2s'),
          auto_rollback: z.boolean().default(true).meta({
            description: 'Return to the previous Live state when the gate fails.',
          }),
        })
        .prefault({})
        .meta({ description: 'What must hold before and after a deployment.' }),
    })
    .meta({ description: 'Deployments: GitOps source, webhook, gates and rollback.' });
}

export type DeployConfig = z.output<ReturnType<typeof deploySchema>>;
export type ComposeSpec = z.output<typeof composeSpecSchema>;
export type NativeSpec = z.output<ReturnType<typeof nativeSpecSchema>>;
export type BlueGreenSpec = z.output<ReturnType<typeof blueGreenSchema>>;
