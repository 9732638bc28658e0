import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerDeps } from '../app.js';
import { auditEntryBody, errorBody } from '../schemas.js';

export function auditRoutes(deps: ServerDeps): FastifyPluginAsync {
  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/audit',
      {
        config: { role: 'viewer' },
        schema: {
          summary: 'Audit log entries, newest first',
          security: [{ bearer: [] }],
          querystring: z.object({
            since: z.iso.datetime({ offset: true }).optional(),
            action: z.string().optional(),
            limit: z.coerce.number().int().min(1).max(10_000).default(100),
          }),
          response: { 200: z.object({ entries: z.array(auditEntryBody) }), 400: errorBody, 401: errorBody },
        },
      },
      async (request) => ({
        entries: deps.store.audit.list({
          ...(request.query.since ? { since: new Date(request.query.since).toISOString() } : {}),
          ...(request.query.action ? { action: request.query.action } : {}),
          limit: request.query.limit,
        }),
      }),
    );
  };
}
