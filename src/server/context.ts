import type { FastifyRequest } from 'fastify';
import type { CommandContext } from '../core/context.js';
import type { ServerDeps } from './app.js';
import { actorOf } from './auth.js';

/** The command context for one request: the actor is the token that made it. */
export function requestContext(deps: ServerDeps, request: FastifyRequest): CommandContext {
  return {
    config: deps.config(),
    store: deps.store,
    actor: actorOf(request),
    clock: deps.clock,
    logger: deps.logger,
  };
}
