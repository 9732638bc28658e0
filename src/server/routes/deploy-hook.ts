import type { FastifyPluginAsync } from 'fastify';
import { FailureLimiter } from '../../auth/failure-limiter.js';
import { requestDeploy } from '../../deploy/commands.js';
import { parsePush, verifyWebhook } from '../../deploy/webhook/index.js';
import type { ServerDeps } from '../app.js';

/** Bad signatures per address per minute before it is refused outright. */
const FAILURES_PER_MINUTE = 20;

/**
 * `POST /hooks/deploy`: a signed push webhook (GitHub, Gitea, GitLab). The signature is the
 * credential, so the route takes no token. A bad or missing one is 401 and audited; a delivery
 * id seen before is 409; a good one is answered 202 with the deployment id at once and the
 * deployment runs in the daemon (GitHub wants an answer within 10 s).
 */
export function deployHookRoutes(deps: ServerDeps): FastifyPluginAsync {
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    const failures = new FailureLimiter({ maxFailures: FAILURES_PER_MINUTE, windowMs: 60_000 });

    app.post(
      '/hooks/deploy',
      {
        schema: { summary: 'Push webhook that triggers a deployment (signature required)' },
        bodyLimit: 5 * 1024 * 1024,
      },
      async (request, reply) => {
        const config = deps.config();
        const hook = config.deploy.webhook;
        if (!hook) return reply.callNotFound();
        const wait = failures.blockedFor(request.ip);
        if (wait > 0) {
          return reply
            .code(429)
            .header('retry-after', String(Math.ceil(wait / 1000)))
            .send({ error: { code: 'E_AUTH', message: 'too many bad signatures' } });
        }
        const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const verified = verifyWebhook(hook.provider, hook.secret, { headers: request.headers, rawBody });
        const actor = `webhook:${hook.provider}`;
        if (!verified.ok) {
          failures.recordFailure(request.ip);
          deps.store.audit.append({
            actor,
            action: 'deploy.webhook_rejected',
            target: 'hooks/deploy',
            details: { reason: verified.reason, ip: request.ip },
          });
          return reply
            .code(401)
            .send({ error: { code: 'E_AUTH', message: `webhook ${verified.reason.replace('-', ' ')}` } });
        }
        if (verified.deliveryId && !deps.store.webhookDeliveries.record(hook.provider, verified.deliveryId)) {
          deps.store.audit.append({
            actor,
            action: 'deploy.webhook_replayed',
            target: 'hooks/deploy',
            details: { delivery: verified.deliveryId },
          });
          return reply.code(409).send({
            error: { code: 'E_CONFLICT', message: `delivery ${verified.deliveryId} was already received` },
          });
        }
        let body: unknown = null;
        try {
          body = JSON.parse(rawBody.toString('utf8'));
        } catch {
          // A form-encoded or empty body: parsePush finds nothing and the whole stack is checked.
        }
        const push = parsePush(hook.provider, verified.event, body);
        const branch = config.deploy.source.git?.branch;
        if (verified.event && /ping/i.test(verified.event))
          return reply.code(200).send({ ok: true, ignored: 'ping' });
        if (branch && push.branch && push.branch !== branch) {
          return reply.code(202).send({ ok: true, ignored: `push to ${push.branch}, following ${branch}` });
        }
        const ctx = {
          config,
          store: deps.store,
          actor: push.pusher ? `${actor}:${push.pusher}` : actor,
          clock: deps.clock,
          logger: deps.logger,
        };
        const deployment = requestDeploy(ctx, {
          trigger: 'webhook',
          commit: config.deploy.source.git ? push.commit : null,
        });
        if (verified.deliveryId)
          deps.store.webhookDeliveries.link(hook.provider, verified.deliveryId, deployment.id);
        deps.deploy?.kick();
        return reply.code(202).send({ ok: true, deploymentId: deployment.id });
      },
    );
  };
}
