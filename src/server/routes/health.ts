import type { FastifyPluginAsync } from 'fastify';
import type { ServerDeps } from '../app.js';

/** Open routes, as orchestrators and Prometheus expect them. */
export function healthRoutes(deps: ServerDeps): FastifyPluginAsync {
  return async (app) => {
    app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

    app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
      const checks = { store_writable: deps.store.isWritable(), scheduler_running: deps.scheduler.started };
      const ready = Object.values(checks).every(Boolean);
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
    });

    // Open unless server.metrics_require_token, decided per request so a reload applies.
    const metricsRole = () => (deps.config().server.metrics_require_token ? ('viewer' as const) : undefined);
    app.get(
      '/metrics',
      { schema: { hide: true }, config: { role: metricsRole } },
      async (_request, reply) => {
        reply.header('content-type', deps.metrics.registry.contentType);
        return deps.metrics.registry.metrics();
      },
    );
  };
}
