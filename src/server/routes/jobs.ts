import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listJobRuns, listJobs, startJob } from '../../jobs/jobs.js';
import type { ServerDeps } from '../app.js';
import { requestContext } from '../context.js';
import { errorBody, jobInfoBody, jobRunBody } from '../schemas.js';

export function jobRoutes(deps: ServerDeps): FastifyPluginAsync {
  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/jobs',
      {
        config: { role: 'viewer' },
        schema: {
          summary: 'Configured jobs, whether they run now, their next and last run',
          security: [{ bearer: [] }],
          response: { 200: z.object({ jobs: z.array(jobInfoBody) }), 401: errorBody },
        },
      },
      async (request) => ({ jobs: listJobs(requestContext(deps, request), deps.scheduler) }),
    );
    app.get(
      '/jobs/:name/runs',
      {
        config: { role: 'viewer' },
        schema: {
          summary: 'Recent runs of one job, newest first',
          security: [{ bearer: [] }],
          params: z.object({ name: z.string() }),
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(20) }),
          response: { 200: z.object({ runs: z.array(jobRunBody) }), 401: errorBody, 404: errorBody },
        },
      },
      async (request) => ({
        runs: listJobRuns(requestContext(deps, request), {
          job: request.params.name,
          limit: request.query.limit,
        }),
      }),
    );
    app.post(
      '/jobs/:name/run',
      {
        config: { role: 'operator' },
        schema: {
          summary: 'Start a run of a job now (202); it never overlaps a run in progress (409)',
          security: [{ bearer: [] }],
          params: z.object({ name: z.string() }),
          response: {
            202: z.object({ job: z.string(), runId: z.string() }),
            401: errorBody,
            403: errorBody,
            404: errorBody,
            409: errorBody,
          },
        },
      },
      async (request, reply) => {
        const started = startJob(requestContext(deps, request), deps.scheduler, request.params.name, 'api');
        // The run continues after the response; its outcome is in job_runs and the logs.
        started.finished.catch(() => {});
        return reply.code(202).send({ job: request.params.name, runId: started.runId });
      },
    );
  };
}
