import { z } from 'zod';
import { cronExpression, type FieldContext, fields, nameKey } from '../config/fields.js';
import { isRecipient } from './age/index.js';
import { retentionSchema } from './retention-schema.js';
import { sourceConfigSchema } from './sources/index.js';
import { targetConfigSchema } from './targets/index.js';

/** The `backups:` section of steward.yaml. */
export function backupsSchema(ctx: FieldContext) {
  const f = fields(ctx);
  const retention = retentionSchema(ctx);

  const encryption = z
    .strictObject({
      recipients: z
        .array(
          z.string().refine(isRecipient, {
            message: 'expected an age X25519 recipient (age1…)',
            params: { hint: 'run `steward keygen --out backup.key`; it prints the recipient to put here' },
          }),
        )
        .default([])
        .meta({
          description:
            'age recipients (public keys, age1…) the archives are encrypted to. Public keys are enough to back up: the backup host never needs the private key.',
        }),
      recipients_file: f
        .path('A file with one age1… recipient per line (# comments allowed), added to `recipients`.')
        .optional(),
      identity_file: f
        .path(
          'The age identity (private key) file. Needed only to verify contents, restore and drill; keep it off the box if you can.',
        )
        .optional(),
    })
    .meta({ description: 'Encryption of archives in the age v1 format (openable with stock `age -d`).' });

  const verify = z
    .strictObject({
      after_backup: z.boolean().default(true).meta({
        description:
          'Verify each new archive right after writing it (full check with the identity, checksum check without).',
      }),
      schedule: cronExpression
        .optional()
        .meta({ description: 'Also verify the newest archive on this schedule.' }),
    })
    .meta({ description: 'When archives are verified.' });

  const drill = z
    .strictObject({
      schedule: cronExpression.optional().meta({ description: 'Run a restore drill on this schedule.' }),
      rto: f
        .duration('Recovery time objective: a drill that takes longer fails and raises an event.')
        .optional(),
    })
    .meta({
      description: 'Restore drills that prove the newest archive restores, and measure how long it takes.',
    });

  const hooks = z
    .strictObject({
      before: z
        .array(z.string().min(1))
        .default([])
        .meta({ description: 'Shell commands run before the sources are read; a failure fails the run.' }),
      after: z.array(z.string().min(1)).default([]).meta({
        description:
          'Shell commands run after the run, whatever its outcome (STEWARD_BACKUP_STATE holds completed/degraded/failed).',
      }),
      timeout: f.duration('Time limit of each hook command.').prefault('10m'),
    })
    .meta({ description: 'Commands around a backup run (stop/start a service, flush a cache…).' });

  const job = z
    .strictObject({
      description: z.string().optional().meta({ description: 'What the job backs up, for people.' }),
      schedule: cronExpression
        .optional()
        .meta({ description: 'When to run (cron). Without it: on demand only.' }),
      timezone: z.string().optional().meta({ description: 'IANA time zone of the schedules (default UTC).' }),
      sources: z
        .array(sourceConfigSchema(ctx))
        .min(1, { message: 'a backup job needs at least one source' })
        .meta({ description: 'What goes into the archive; each source lands under sources/<name>/.' }),
      targets: z.array(nameKey).min(1, { message: 'a backup job needs at least one target' }).meta({
        description: 'Names of targets (under backups.targets) that each receive a copy of the archive.',
      }),
      retention: retention.optional().meta({
        description:
          'GFS retention applied per target after each successful run and by `steward backup prune`.',
      }),
      target_retention: z
        .record(nameKey, retention)
        .default({})
        .meta({ description: 'A different retention for some targets (e.g. keep 30 days on the USB disk).' }),
      verify: verify.prefault({}),
      drill: drill.prefault({}),
      hooks: hooks.prefault({}),
      compression_level: z.number().int().min(1).max(9).default(1).meta({
        description: 'gzip level (1 fastest … 9 smallest). Incompressible data is stored either way.',
      }),
      timeout: f.duration('Abort a run that takes longer than this (recorded as failed).').optional(),
    })
    .superRefine((value, issue) => {
      const seen = new Set<string>();
      value.sources.forEach((s, i) => {
        if (seen.has(s.name)) {
          issue.addIssue({
            code: 'custom',
            path: ['sources', i, 'name'],
            message: `duplicate source name "${s.name}"`,
            params: {
              hint: 'each source of a job needs its own name; it becomes the folder sources/<name>/',
            },
          });
        }
        seen.add(s.name);
      });
    })
    .meta({ description: 'A backup job: sources, targets, schedule, retention, verify and drill.' });

  return z
    .strictObject({
      encryption: encryption.prefault({}),
      targets: z
        .record(nameKey, targetConfigSchema(ctx))
        .default({})
        .meta({ description: 'Where archives go, by name.' }),
      jobs: z.record(nameKey, job).default({}).meta({ description: 'Backup jobs by name.' }),
    })
    .superRefine((value, issue) => {
      for (const [jobName, j] of Object.entries(value.jobs)) {
        j.targets.forEach((t, i) => {
          if (!(t in value.targets)) {
            issue.addIssue({
              code: 'custom',
              path: ['jobs', jobName, 'targets', i],
              message: `unknown target "${t}"`,
              params: {
                hint: Object.keys(value.targets).length
                  ? `defined targets: ${Object.keys(value.targets).join(', ')}`
                  : 'define it under backups.targets, e.g. local: { type: local, path: ./backups }',
              },
            });
          }
        });
        for (const t of Object.keys(j.target_retention)) {
          if (!j.targets.includes(t)) {
            issue.addIssue({
              code: 'custom',
              path: ['jobs', jobName, 'target_retention', t],
              message: `target_retention names "${t}", which is not one of this job's targets`,
              params: { hint: `this job's targets: ${j.targets.join(', ')}` },
            });
          }
        }
      }
      const jobs = Object.keys(value.jobs);
      if (jobs.length > 0 && value.encryption.recipients.length === 0 && !value.encryption.recipients_file) {
        issue.addIssue({
          code: 'custom',
          path: ['encryption'],
          message: 'backup jobs are configured but no age recipient is',
          params: {
            hint: 'run `steward keygen --out backup.key` and put the printed age1… recipient under backups.encryption.recipients',
          },
        });
      }
    })
    .meta({ description: 'Encrypted, verified backups with GFS retention and restore drills.' });
}

export type BackupsConfig = z.output<ReturnType<typeof backupsSchema>>;
export type BackupJobConfig = BackupsConfig['jobs'][string];
export type SourceConfig = BackupJobConfig['sources'][number];
