import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { deploymentHistory, requestDeploy, requestRollback, showDeployment } from '../../deploy/commands.js';
import { planDeploy } from '../../deploy/plan.js';
import type { ServerDeps } from '../app.js';
import { requestContext } from '../context.js';
import { errorBody } from '../schemas.js';

/** Deployments: history, one with its log, plan, apply and rollback (both queued for the daemon). */
export function deployRoutes(deps: ServerDeps): FastifyPluginAsync {
  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    const queued = z.object({ id: z.string(), state: z.string() });
    app.get(
      '/deployments',
      {
        config: { role: 'viewer' },
        schema: {
          summary: 'Deployments, newest first, with each service’s outcome',
          security: [{ bearer: [] }],
          querystring: z.object({
            service: z.string().optional(),
            limit: z.coerce.number().int().min(1).max(1000).optional(),
          }),
        },
      },
      async (request) => ({
        deployments: deploymentHistory(requestContext(deps, request), {
          ...(request.query.service ? { service: request.query.service } : {}),
          ...(request.query.limit ? { limit: request.query.limit } : {}),
        }),
      }),
    );
    app.get(
      '/deployments/:id',
      {
        config: { role: 'viewer' },
        schema: {
          summary: 'One deployment: plan, gates, per-service outcome and its log',
          security: [{ bearer: [] }],
          params: z.object({ id: z.string() }),
        },
      },
      async (request) => showDeployment(requestContext(deps, request), request.params.id),
    );
    app.post(
      '/deployments/plan',
      {
        config: { role: 'operator' },
        schema: {
          summary: 'What a deployment would change, per service (fetches the git source)',
          security: [{ bearer: [] }],
          body: z.object({ services: z.array(z.string()).optional() }).optional(),
        },
      },
      async (request) =>
        planDeploy(requestContext(deps, request), {
          ...(request.body?.services ? { services: request.body.services } : {}),
        }),
    );
    app.post(
      '/deployments',
      {
        config: { role: 'operator' },
        schema: {
          summary: 'Queue a deployment of the desired state (all services, or those named)',
          security: [{ bearer: [] }],
          body: z.object({ services: z.array(z.string()).optional() }).optional(),
          response: { 202: queued, 401: errorBody, 403: errorBody, 404: errorBody },
        },
      },
      async (request, reply) => {
        const d = requestDeploy(requestContext(deps, request), {
          ...(request.body?.services ? { services: request.body.services } : {}),
        });
        deps.deploy?.kick();
        return reply.code(202).send({ id: d.id, state: d.state });
      },
    );
    app.post(
      '/services/:service/rollback',
      {
        config: { role: 'operator' },
        schema: {
          summary:
            'Queue a return of a service to an earlier deployment (default: the one before the Live one)',
          security: [{ bearer: [] }],
          params: z.object({ service: z.string() }),
          body: z.object({ to: z.string().optional() }).optional(),
          response: { 202: queued, 401: errorBody, 403: errorBody, 404: errorBody },
        },
      },
      async (request, reply) => {
        const d = requestRollback(requestContext(deps, request), request.params.service, request.body?.to);
        deps.deploy?.kick();
        return reply.code(202).send({ id: d.id, state: d.state });
      },
    );
  };
}
