import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { checkHistory, listChecks, requireDefinition } from '../../monitor/checks/commands.js';
import { checkStates } from '../../monitor/checks/state.js';
import type { ServerDeps } from '../app.js';
import { requestContext } from '../context.js';
import { errorBody } from '../schemas.js';

const checkBody = z.object({
  name: z.string(),
  type: z.string(),
  service: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
  state: z.enum(checkStates),
  since: z.string(),
  intervalMs: z.number(),
  last: z
    .object({ status: z.string(), message: z.string(), latencyMs: z.number().nullable(), at: z.string() })
    .nullable(),
  lastPing: z
    .object({ kind: z.string(), at: z.string().nullable(), startedAt: z.string().nullable() })
    .nullable(),
});

const changeBody = z.object({
  id: z.number(),
  check: z.string(),
  at: z.string(),
  from: z.enum(checkStates),
  to: z.enum(checkStates),
  reason: z.string(),
});

const probeBody = z.object({
  status: z.enum(['up', 'down', 'degraded']),
  message: z.string(),
  latencyMs: z.number().optional(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

export function checkRoutes(deps: ServerDeps): FastifyPluginAsync {
  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/checks',
      {
        config: { role: 'viewer' },
        schema: {
          summary: 'Configured checks (and backup freshness checks) with their state and last result',
          security: [{ bearer: [] }],
          response: { 200: z.object({ checks: z.array(checkBody) }), 401: errorBody },
        },
      },
      async (request) => ({ checks: listChecks(requestContext(deps, request), deps.monitoring?.engine) }),
    );
    app.get(
      '/checks/:name/history',
      {
        config: { role: 'viewer' },
        schema: {
          summary: 'State changes of one check with their reasons, newest first',
          security: [{ bearer: [] }],
          params: z.object({ name: z.string() }),
          querystring: z.object({
            limit: z.coerce.number().int().min(1).max(1000).default(100),
            before: z.coerce.number().int().min(1).optional(),
          }),
          response: {
            200: z.object({ check: z.string(), changes: z.array(changeBody) }),
            401: errorBody,
            404: errorBody,
          },
        },
      },
      async (request) =>
        checkHistory(requestContext(deps, request), request.params.name, {
          limit: request.query.limit,
          ...(request.query.before ? { beforeId: request.query.before } : {}),
        }),
    );
    app.post(
      '/checks/:name/run',
      {
        config: { role: 'operator' },
        schema: {
          summary: 'Probe a check now; the result counts like a scheduled one',
          security: [{ bearer: [] }],
          params: z.object({ name: z.string() }),
          response: {
            200: z.object({ check: z.string(), result: probeBody.nullable(), state: z.enum(checkStates) }),
            401: errorBody,
            403: errorBody,
            404: errorBody,
          },
        },
      },
      async (request) => {
        const ctx = requestContext(deps, request);
        const { name } = requireDefinition(ctx, request.params.name);
        const run = deps.monitoring?.scheduler.runNow(name);
        const result = run ? await run : null;
        return { check: name, result, state: deps.monitoring?.engine.get(name)?.state ?? 'unknown' };
      },
    );
  };
}
