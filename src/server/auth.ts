import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FailureLimiter } from '../auth/failure-limiter.js';
import { roleAllows, type TokenRole } from '../auth/roles.js';
import type { Logger } from '../core/logger.js';
import type { ApiToken } from '../store/api-tokens.js';
import type { Store } from '../store/db.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Least role a bearer token needs for this route; absent means the route is open. A
     * function decides per request (for /metrics, which config can close).
     */
    role?: TokenRole | (() => TokenRole | undefined);
  }
  interface FastifyRequest {
    token: ApiToken | null;
  }
}

export interface AuthOptions {
  store: Store;
  logger: Logger;
  maxFailures?: number;
  windowMs?: number;
}

/** `token:<name>` for the audit log. */
export function actorOf(request: FastifyRequest): string {
  return request.token ? `token:${request.token.name}` : 'anonymous';
}

/**
 * Bearer-token authentication and role checks for every route that declares a role.
 * Every refusal (401, 403, 429) is audited; failures are rate-limited per address.
 */
export function registerAuth(app: FastifyInstance, opts: AuthOptions): void {
  const limiter = new FailureLimiter({
    maxFailures: opts.maxFailures ?? 10,
    windowMs: opts.windowMs ?? 60_000,
  });
  app.decorateRequest('token', null);

  const audit = (request: FastifyRequest, action: string, details: Record<string, unknown>) => {
    try {
      opts.store.audit.append({
        actor: request.token ? `token:${request.token.name}` : `ip:${request.ip}`,
        action,
        target: `${request.method} ${request.routeOptions.url ?? request.url}`,
        details: { ip: request.ip, ...details },
      });
    } catch (err) {
      opts.logger.error({ err }, 'could not write the audit row for an auth refusal');
    }
  };

  const refuse = (reply: FastifyReply, status: number, code: string, message: string) => {
    if (status === 401) reply.header('www-authenticate', 'Bearer realm="steward"');
    return reply.code(status).send({ error: { code, message } });
  };

  app.addHook('onRequest', async (request, reply) => {
    const declared = request.routeOptions.config?.role;
    const needed = typeof declared === 'function' ? declared() : declared;
    if (!needed) return;

    const waitSeconds = limiter.blockedFor(request.ip);
    if (waitSeconds > 0) {
      if (limiter.shouldReportBlock(request.ip))
        audit(request, 'auth.rate_limited', { retry_after_s: waitSeconds });
      reply.header('retry-after', String(waitSeconds));
      return refuse(
        reply,
        429,
        'E_AUTH',
        'too many failed authentications from this address; try again later',
      );
    }

    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    const token = match?.[1] ? opts.store.tokens.authenticate(match[1]) : null;
    if (!token) {
      limiter.recordFailure(request.ip);
      const reason =
        header === undefined ? 'missing token' : match ? 'unknown or revoked token' : 'malformed header';
      audit(request, 'auth.failed', { reason });
      return refuse(reply, 401, 'E_AUTH', 'a valid bearer token is required');
    }
    request.token = token;
    if (!roleAllows(token.role, needed)) {
      audit(request, 'auth.forbidden', { role: token.role, needed });
      return refuse(
        reply,
        403,
        'E_FORBIDDEN',
        `this route needs the ${needed} role; the token has ${token.role}`,
      );
    }
  });
}
