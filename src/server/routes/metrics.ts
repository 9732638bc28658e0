import type { FastifyPluginAsync, onRequestHookHandler } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { roomToAllocate } from '../../core/heap-tuning.js';
import { parseJsonSamples, parseLineProtocol } from '../../monitor/ingest/index.js';
import { ingestSamples, queryMetrics } from '../../monitor/metrics.js';
import { parseInstant, parseLabelMatch, parseStep } from '../../monitor/query-params.js';
import { metricAggs } from '../../store/index.js';
import type { ServerDeps } from '../app.js';
import { requestContext } from '../context.js';
import { errorBody } from '../schemas.js';

/** Enough for 100,000 short samples in one request. */
const INGEST_BODY_LIMIT = 32 * 1024 * 1024;

const ingestReply = z.object({
  written: z.number(),
  duplicates: z.number(),
  rejected: z.number(),
  errors: z.array(z.object({ at: z.number(), message: z.string() })),
});

const queryReply = z.object({
  source: z.enum(['raw', 'minute', 'hourly']),
  from: z.number(),
  to: z.number(),
  step: z.number(),
  agg: z.enum(metricAggs),
  series: z.array(
    z.object({
      id: z.number(),
      name: z.string(),
      labels: z.record(z.string(), z.string()),
      points: z.array(z.tuple([z.number(), z.number()])),
    }),
  ),
});

/**
 * From before the body is parsed until the response is done (or the client goes away): bulk
 * ingest and long queries allocate in bursts that a pinned young generation handles badly.
 */
const withRoomToAllocate: onRequestHookHandler = (_request, reply, done) => {
  reply.raw.once('close', roomToAllocate());
  done();
};

export function metricRoutes(deps: ServerDeps): FastifyPluginAsync {
  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    app.post(
      '/metrics',
      {
        bodyLimit: INGEST_BODY_LIMIT,
        config: { role: 'operator' },
        onRequest: withRoomToAllocate,
        schema: {
          summary:
            'Ingest samples: JSON ({"samples": [{name, labels, value, ts}]}) or InfluxDB line protocol (text/plain). Valid samples are stored; each bad line or item is reported.',
          security: [{ bearer: [] }],
          querystring: z.object({ precision: z.enum(['ns', 'us', 'ms', 's']).default('ns') }),
          response: { 200: ingestReply, 400: errorBody, 401: errorBody, 403: errorBody },
        },
      },
      async (request) => {
        const parsed =
          typeof request.body === 'string'
            ? parseLineProtocol(request.body, { precision: request.query.precision })
            : parseJsonSamples(request.body);
        const stored = parsed.samples.length
          ? ingestSamples(requestContext(deps, request), parsed.samples, deps.events)
          : { written: 0, duplicates: 0 };
        return { ...stored, rejected: parsed.errors.length, errors: parsed.errors.slice(0, 1000) };
      },
    );
    app.get(
      '/metrics/query',
      {
        config: { role: 'viewer' },
        onRequest: withRoomToAllocate,
        schema: {
          summary:
            'Samples of one metric bucketed by step; raw data, minute or hourly rollups, whichever covers the range',
          security: [{ bearer: [] }],
          querystring: z.object({
            name: z.string().min(1),
            labels: z.string().optional(),
            from: z.string().optional(),
            to: z.string().optional(),
            step: z.string().default('1m'),
            agg: z.enum(metricAggs).default('avg'),
          }),
          response: { 200: queryReply, 400: errorBody, 401: errorBody },
        },
      },
      async (request) => {
        const ctx = requestContext(deps, request);
        const q = request.query;
        const now = ctx.clock.now().getTime();
        return queryMetrics(ctx, {
          name: q.name,
          match: parseLabelMatch(q.labels),
          from: parseInstant(q.from, now, now - 3_600_000, 'from'),
          to: parseInstant(q.to, now, now, 'to'),
          step: parseStep(q.step),
          agg: q.agg,
        });
      },
    );
  };
}
