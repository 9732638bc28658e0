import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ackAlert,
  addSilence,
  closeAlert,
  expireSilence,
  listAlerts,
  sendTest,
  showAlert,
} from '../../alerts/commands.js';
import { alertStates } from '../../store/index.js';
import type { ServerDeps } from '../app.js';
import { requestContext } from '../context.js';
import { errorBody } from '../schemas.js';

const alertBody = z.object({
  id: z.string(),
  rule: z.string(),
  labels: z.record(z.string(), z.string()),
  severity: z.string(),
  summary: z.string(),
  description: z.string(),
  runbook: z.string().nullable(),
  state: z.enum(alertStates),
  value: z.number().nullable(),
  triggeredAt: z.string(),
  acknowledgedAt: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
  ackComment: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  notifiedAt: z.string().nullable(),
  lastNotifiedAt: z.string().nullable(),
  escalationLevel: z.number(),
  notifiedChannels: z.array(z.string()),
});

const silenceBody = z.object({
  id: z.string(),
  matchers: z.array(z.object({ name: z.string(), op: z.string(), value: z.string() })),
  startsAt: z.string(),
  endsAt: z.string(),
  comment: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  expiredAt: z.string().nullable(),
  expiredBy: z.string().nullable(),
});

const timelineBody = z.object({
  alert: alertBody,
  transitions: z.array(
    z.object({
      id: z.number(),
      alertId: z.string(),
      at: z.string(),
      from: z.string().nullable(),
      to: z.string(),
      actor: z.string(),
      comment: z.string().nullable(),
    }),
  ),
  deliveries: z.array(
    z.object({
      id: z.string(),
      notificationId: z.string(),
      kind: z.string(),
      channel: z.string(),
      alertIds: z.array(z.string()),
      state: z.string(),
      attempts: z.number(),
      lastError: z.string().nullable(),
      nextAttemptAt: z.string().nullable(),
      createdAt: z.string(),
      sentAt: z.string().nullable(),
    }),
  ),
});

const idParams = z.object({ id: z.string().min(1) });
const commentBody = z.object({ comment: z.string().max(2000).optional() }).default({});
const secured = { security: [{ bearer: [] }] };

export function alertRoutes(deps: ServerDeps): FastifyPluginAsync {
  return async (root) => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    const live = () => deps.alerting;
    app.get(
      '/alerts',
      {
        config: { role: 'viewer' },
        schema: {
          summary: 'Alerts, newest first; filter with ?state=triggered,acknowledged',
          ...secured,
          querystring: z.object({
            state: z.string().optional(),
            limit: z.coerce.number().int().min(1).max(10_000).default(100),
          }),
          response: { 200: z.object({ alerts: z.array(alertBody) }), 400: errorBody, 401: errorBody },
        },
      },
      async (request) => {
        const states = request.query.state
          ? z.array(z.enum(alertStates)).parse(request.query.state.split(','))
          : undefined;
        return {
          alerts: listAlerts(requestContext(deps, request), {
            ...(states ? { states } : {}),
            limit: request.query.limit,
          }),
        };
      },
    );
    app.get(
      '/alerts/:id',
      {
        config: { role: 'viewer' },
        schema: {
          summary: 'One alert with its transitions and deliveries',
          ...secured,
          params: idParams,
          response: { 200: timelineBody, 401: errorBody, 404: errorBody },
        },
      },
      async (request) => showAlert(requestContext(deps, request), request.params.id),
    );
    for (const [action, run] of [
      ['ack', ackAlert],
      ['close', closeAlert],
    ] as const) {
      app.post(
        `/alerts/:id/${action}`,
        {
          config: { role: 'operator' },
          schema: {
            summary:
              action === 'ack'
                ? 'Acknowledge: stops repeats and escalation; channels are told who'
                : 'Close a resolved alert',
            ...secured,
            params: idParams,
            body: commentBody,
            response: {
              200: z.object({ alert: alertBody }),
              401: errorBody,
              403: errorBody,
              404: errorBody,
              409: errorBody,
            },
          },
        },
        async (request) => ({
          alert: run(requestContext(deps, request), request.params.id, request.body?.comment ?? null, live()),
        }),
      );
    }
    app.get(
      '/silences',
      {
        config: { role: 'viewer' },
        schema: {
          summary: 'Silences not yet ended (?all=true: also the ended ones)',
          ...secured,
          querystring: z.object({ all: z.coerce.boolean().default(false) }),
          response: { 200: z.object({ silences: z.array(silenceBody) }), 401: errorBody },
        },
      },
      async (request) => ({ silences: deps.store.silences.list({ all: request.query.all }) }),
    );
    app.post(
      '/silences',
      {
        config: { role: 'operator' },
        schema: {
          summary:
            'Silence alerts matching the matchers (alertname=disk-low, service=~"core|db") for a while',
          ...secured,
          body: z.object({
            matchers: z.array(z.string()).min(1),
            duration: z
              .number()
              .int()
              .positive()
              .optional()
              .meta({ description: 'milliseconds; default one hour' }),
            startsAt: z.string().optional(),
            endsAt: z.string().optional(),
            comment: z.string().min(1).max(2000),
          }),
          response: {
            201: z.object({ silence: silenceBody }),
            400: errorBody,
            401: errorBody,
            403: errorBody,
          },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const silence = addSilence(
          requestContext(deps, request),
          {
            matchers: b.matchers,
            comment: b.comment,
            ...(b.duration ? { forMs: b.duration } : {}),
            ...(b.startsAt ? { startsAt: b.startsAt } : {}),
            ...(b.endsAt ? { endsAt: b.endsAt } : {}),
          },
          live(),
        );
        return reply.code(201).send({ silence });
      },
    );
    app.post(
      '/silences/:id/expire',
      {
        config: { role: 'operator' },
        schema: {
          summary: 'End a silence now',
          ...secured,
          params: idParams,
          response: {
            200: z.object({ silence: silenceBody }),
            401: errorBody,
            403: errorBody,
            404: errorBody,
            409: errorBody,
          },
        },
      },
      async (request) => ({
        silence: expireSilence(requestContext(deps, request), request.params.id, live()),
      }),
    );
    app.post(
      '/alerts/test',
      {
        config: { role: 'operator' },
        schema: {
          summary: 'Send a notification marked as a test to a channel, or to the channels of a rule',
          ...secured,
          body: z.object({ target: z.string().min(1) }),
          response: {
            200: z.object({
              results: z.array(z.object({ channel: z.string(), ok: z.boolean(), detail: z.string() })),
            }),
            401: errorBody,
            403: errorBody,
            404: errorBody,
          },
        },
      },
      async (request) => ({ results: await sendTest(requestContext(deps, request), request.body.target) }),
    );
  };
}
