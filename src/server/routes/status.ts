import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getStatus } from '../../status/status.js';
import type { ServerDeps } from '../app.js';
import { requestContext } from '../context.js';
import { errorBody, serviceBody, statusBody } from '../schemas.js';

export function statusRoutes(deps: ServerDeps): FastifyPluginAsync {
  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/status',
      {
        config: { role: 'viewer' },
        schema: {
          summary: 'Version, daemon, store, services and the last run of every job',
          security: [{ bearer: [] }],
          response: { 200: statusBody, 401: errorBody },
        },
      },
      async (request) => getStatus(requestContext(deps, request), deps.scheduler),
    );
    app.get(
      '/services',
      {
        config: { role: 'viewer' },
        schema: {
          summary: 'Services from the configuration and their lifecycle state',
          security: [{ bearer: [] }],
          querystring: z.object({ include_removed: z.enum(['true', 'false']).optional() }),
          response: { 200: z.object({ services: z.array(serviceBody) }), 401: errorBody },
        },
      },
      async (request) => ({
        services: deps.store.services.list({ includeRemoved: request.query.include_removed === 'true' }),
      }),
    );
  };
}
