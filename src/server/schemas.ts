import { z } from 'zod';

/** Response shapes, shared by the routes and the OpenAPI document. */
export const errorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), hint: z.string().optional() }),
});

export const jobRunBody = z.object({
  id: z.string(),
  job: z.string(),
  trigger: z.string(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  outcome: z.enum(['ok', 'failed', 'aborted']).nullable(),
  error: z.string().nullable(),
  pid: z.number().nullable(),
});

export const serviceBody = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  critical: z.boolean(),
  description: z.string().nullable(),
  state: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  removedAt: z.string().nullable(),
});

export const jobInfoBody = z.object({
  name: z.string(),
  description: z.string().nullable(),
  schedule: z.string().nullable(),
  timezone: z.string().nullable(),
  running: z.boolean(),
  nextRun: z.string().nullable(),
  lastRun: jobRunBody.nullable(),
});

const policySeverity = z.enum(['error', 'warning', 'info']);

export const policyServiceBody = z.object({
  service: z.string(),
  status: z.enum(['compliant', 'warnings', 'non-compliant']),
  open: z.object({ error: z.number(), warning: z.number(), info: z.number() }),
  excepted: z.number(),
});

export const policyFindingBody = z.object({
  id: z.string(),
  rule: z.string(),
  service: z.string(),
  severity: policySeverity,
  state: z.enum(['open', 'excepted', 'resolved']),
  message: z.string(),
  file: z.string(),
  line: z.number(),
  column: z.number(),
  reason: z.string().nullable(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  resolvedAt: z.string().nullable(),
});

export const policyRunBody = z
  .object({
    at: z.string(),
    files: z.number(),
    services: z.number(),
    opened: z.number(),
    resolved: z.number(),
    problems: z.array(z.object({ file: z.string(), message: z.string() })),
  })
  .nullable();

export const statusBody = z.object({
  name: z.string().nullable(),
  version: z.string(),
  environment: z.object({ name: z.string(), type: z.string() }),
  daemon: z.object({
    running: z.boolean(),
    pid: z.number().nullable(),
    since: z.string().nullable(),
    url: z.string(),
  }),
  store: z.object({ file: z.string(), schemaVersion: z.number(), pendingMigrations: z.number() }),
  services: z.array(serviceBody),
  jobs: z.array(jobInfoBody),
  checks: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      service: z.string().nullable(),
      state: z.string(),
      since: z.string(),
      message: z.string().nullable(),
      checkedAt: z.string().nullable(),
    }),
  ),
  policy: z.object({ lastRun: policyRunBody, services: z.array(policyServiceBody) }),
});

export const auditEntryBody = z.object({
  seq: z.number(),
  id: z.string(),
  ts: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.string(),
  details: z.unknown(),
  prevHash: z.string(),
  hash: z.string(),
});
