import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listBackups, pruneBackups, restoreArchive, runDrill, verifyArchives } from '../../backup/index.js';
import { StewardError } from '../../core/errors.js';
import type { ServerDeps } from '../app.js';
import { requestContext } from '../context.js';
import { errorBody } from '../schemas.js';

/** Results are the same documents the CLI prints with --json. */
const document = z.record(z.string(), z.unknown());

export function backupRoutes(deps: ServerDeps): FastifyPluginAsync {
  const backupDeps = deps.events ? { events: deps.events } : {};
  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    const errors = {
      400: errorBody,
      401: errorBody,
      403: errorBody,
      404: errorBody,
      409: errorBody,
      422: errorBody,
    };

    app.get(
      '/backups',
      {
        config: { role: 'viewer' },
        schema: {
          summary:
            'Backup jobs (last run, drill success rate) and archives with state, last verify and drill',
          security: [{ bearer: [] }],
          querystring: z.object({ job: z.string().optional(), all: z.coerce.boolean().default(false) }),
          response: { 200: document, ...errors },
        },
      },
      async (request) => {
        const { job, all } = request.query;
        return listBackups(requestContext(deps, request), {
          ...(job ? { job } : {}),
          all,
        }) as unknown as Record<string, unknown>;
      },
    );

    app.post(
      '/backups/:job/run',
      {
        config: { role: 'operator' },
        schema: {
          summary: 'Start a backup run now (202); never alongside another run of the job (409)',
          security: [{ bearer: [] }],
          params: z.object({ job: z.string() }),
          response: { 202: z.object({ job: z.string(), runId: z.string() }), ...errors },
        },
      },
      async (request, reply) => {
        const ctx = requestContext(deps, request);
        const name = `backup:${request.params.job}`;
        if (!deps.scheduler.list().some((j) => j.name === name)) {
          throw new StewardError('E_NOT_FOUND', `no backup job named ${request.params.job}`);
        }
        const started = deps.scheduler.startRun(name, 'api');
        ctx.store.audit.append({
          actor: ctx.actor,
          action: 'job.run',
          target: `job:${name}`,
          details: { run_id: started.runId, trigger: 'api' },
        });
        started.finished.catch(() => {});
        return reply.code(202).send({ job: request.params.job, runId: started.runId });
      },
    );

    app.post(
      '/backups/archives/:ref/verify',
      {
        config: { role: 'operator' },
        schema: {
          summary: 'Verify an archive (every copy): full with the configured identity, else checksums',
          security: [{ bearer: [] }],
          params: z.object({ ref: z.string() }),
          body: z
            .object({ target: z.string().optional(), checksum_only: z.boolean().default(false) })
            .default({ checksum_only: false }),
          response: { 200: document, ...errors },
        },
      },
      async (request) => {
        const results = await verifyArchives(
          requestContext(deps, request),
          {
            ref: request.params.ref,
            ...(request.body.target ? { target: request.body.target } : {}),
            checksumOnly: request.body.checksum_only,
          },
          backupDeps,
        );
        return { results };
      },
    );

    app.post(
      '/backups/prune',
      {
        config: { role: 'operator' },
        schema: {
          summary: 'Apply GFS retention (dry_run shows the plan without removing anything)',
          security: [{ bearer: [] }],
          body: z
            .object({ job: z.string().optional(), dry_run: z.boolean().default(false) })
            .default({ dry_run: false }),
          response: { 200: document, ...errors },
        },
      },
      async (request) => {
        const { job, dry_run } = request.body;
        const results = await pruneBackups(
          requestContext(deps, request),
          { ...(job ? { job } : {}), dryRun: dry_run },
          backupDeps,
        );
        return { dryRun: dry_run, results };
      },
    );

    app.post(
      '/backups/:job/drill',
      {
        config: { role: 'operator' },
        schema: {
          summary: 'Run a restore drill now and return the recovery point (waits for it)',
          security: [{ bearer: [] }],
          params: z.object({ job: z.string() }),
          response: { 200: document, ...errors },
        },
      },
      async (request) =>
        (await runDrill(
          requestContext(deps, request),
          { job: request.params.job },
          backupDeps,
        )) as unknown as Record<string, unknown>,
    );

    app.post(
      '/backups/archives/:ref/restore',
      {
        config: { role: 'admin' },
        schema: {
          summary: 'Restore an archive into a directory on the host, or in place (admin; in_place needs yes)',
          security: [{ bearer: [] }],
          params: z.object({ ref: z.string() }),
          body: z.object({
            to: z.string().optional(),
            only: z.array(z.string()).optional(),
            in_place: z.boolean().default(false),
            yes: z.boolean().default(false),
            target: z.string().optional(),
          }),
          response: { 200: document, ...errors },
        },
      },
      async (request) => {
        const b = request.body;
        return (await restoreArchive(requestContext(deps, request), {
          ref: request.params.ref,
          ...(b.to ? { to: b.to } : {}),
          ...(b.only ? { only: b.only } : {}),
          inPlace: b.in_place,
          yes: b.yes,
          ...(b.target ? { target: b.target } : {}),
        })) as unknown as Record<string, unknown>;
      },
    );
  };
}
