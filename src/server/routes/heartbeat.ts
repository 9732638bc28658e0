import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { FailureLimiter } from '../../auth/failure-limiter.js';
import type { PingKind } from '../../store/index.js';
import type { ServerDeps } from '../app.js';

/** Pings per check per minute; a job pings a few times per run, a loop gone wrong far more. */
const PINGS_PER_MINUTE = 60;
/** Unknown tokens per address per minute before it is refused: guessing is pointless. */
const MISSES_PER_MINUTE = 20;

/**
 * Heartbeat pings (Healthchecks.io style): `GET|POST /api/v1/heartbeat/<token>[/start|/fail]`.
 * The token is the only credential. A token that is not a check's gets the same 404 as any
 * unknown URL, so the answer says nothing about which checks exist.
 */
export function heartbeatRoutes(deps: ServerDeps): FastifyPluginAsync {
  return async (app) => {
    // A job may send its log as the body, in any format; it is read (within the limit) and not kept.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => done(null, undefined));
    const perCheck = new FailureLimiter({ maxFailures: PINGS_PER_MINUTE, windowMs: 60_000 });
    const misses = new FailureLimiter({ maxFailures: MISSES_PER_MINUTE, windowMs: 60_000 });

    const handle = (kind: PingKind) => async (request: FastifyRequest, reply: FastifyReply) => {
      const { token } = request.params as { token: string };
      const blocked = misses.blockedFor(request.ip);
      if (blocked > 0) return tooMany(reply, blocked);
      const check = deps.monitoring?.engine.checkForToken(token);
      if (!check) {
        misses.recordFailure(request.ip);
        return reply.callNotFound();
      }
      const wait = perCheck.blockedFor(check);
      if (wait > 0) {
        if (perCheck.shouldReportBlock(check)) deps.logger.warn({ check }, 'heartbeat pings rate-limited');
        return tooMany(reply, wait);
      }
      perCheck.recordFailure(check);
      const outcome = deps.monitoring?.engine.ping(token, kind);
      if (!outcome) return reply.callNotFound();
      return reply.code(200).send({ ok: true, state: outcome.state });
    };

    for (const [suffix, kind] of [
      ['', 'success'],
      ['/start', 'start'],
      ['/fail', 'fail'],
    ] as const) {
      const schema = {
        summary: `Heartbeat ping (${kind}); the token in the URL is the credential`,
        hide: false,
      };
      app.get(`/heartbeat/:token${suffix}`, { schema }, handle(kind));
      app.post(`/heartbeat/:token${suffix}`, { schema, bodyLimit: 64 * 1024 }, handle(kind));
    }
  };
}

function tooMany(reply: FastifyReply, seconds: number) {
  return reply
    .code(429)
    .header('retry-after', String(seconds))
    .send({ error: { code: 'E_RATE_LIMITED', message: 'too many pings; try again later' } });
}
