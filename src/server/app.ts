import fastifySwagger from '@fastify/swagger';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  LogController,
} from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Alerting } from '../alerts/service.js';
import type { ResolvedConfig } from '../config/resolve.js';
import type { Clock } from '../core/clock.js';
import { isStewardError } from '../core/errors.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { stewardVersion } from '../core/version.js';
import type { DaemonMetrics } from '../daemon/metrics.js';
import type { Scheduler } from '../daemon/scheduler.js';
import type { DeployService } from '../deploy/service.js';
import type { Monitoring } from '../monitor/monitoring.js';
import type { Compliance } from '../policy/compliance.js';
import type { Store } from '../store/db.js';
import { registerAuth } from './auth.js';
import { alertRoutes } from './routes/alerts.js';
import { auditRoutes } from './routes/audit.js';
import { backupRoutes } from './routes/backups.js';
import { checkRoutes } from './routes/checks.js';
import { deployRoutes } from './routes/deploy.js';
import { deployHookRoutes } from './routes/deploy-hook.js';
import { healthRoutes } from './routes/health.js';
import { heartbeatRoutes } from './routes/heartbeat.js';
import { jobRoutes } from './routes/jobs.js';
import { metricRoutes } from './routes/metrics.js';
import { policyRoutes } from './routes/policy.js';
import { statusRoutes } from './routes/status.js';

export interface ServerDeps {
  /** Read at request time, so a SIGHUP reload is seen without a restart. */
  config: () => ResolvedConfig;
  store: Store;
  scheduler: Scheduler;
  metrics: DaemonMetrics;
  logger: Logger;
  clock: Clock;
  /** Checks and host metrics, when the daemon runs them. */
  monitoring?: Monitoring;
  /** The alert engine, when the daemon runs it (acks and silences act through it). */
  alerting?: Alerting;
  /** Compose policy compliance records, when the daemon keeps them. */
  compliance?: Compliance;
  /** The deployment queue runner, when the daemon runs it. */
  deploy?: DeployService;
  /** Where commands started through the API publish what happened. */
  events?: EventBus;
  /** For auth tests: fewer failures before 429. */
  authMaxFailures?: number;
}

/** The HTTP API: open /healthz, /readyz, /metrics; everything under /api/v1 needs a token. */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'http' }) as FastifyBaseLogger,
    // Request lines would be noise in a daemon's journal; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    trustProxy: false,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Steward API', version: stewardVersion, description: 'Local-first operations steward.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });

  registerAuth(app, {
    store: deps.store,
    logger: deps.logger,
    ...optional('maxFailures', deps.authMaxFailures),
  });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (isStewardError(err)) {
      return reply
        .code(err.httpStatus)
        .send({ error: { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) } });
    }
    if (err.validation) {
      return reply.code(400).send({ error: { code: 'E_USAGE', message: err.message } });
    }
    if (err.statusCode && err.statusCode < 500) {
      return reply.code(err.statusCode).send({ error: { code: 'E_USAGE', message: err.message } });
    }
    request.log.error({ err }, 'request failed');
    return reply.code(500).send({ error: { code: 'E_INTERNAL', message: 'internal error' } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send({ error: { code: 'E_NOT_FOUND', message: `no route ${request.method} ${request.url}` } }),
  );

  await app.register(healthRoutes(deps));
  await app.register(statusRoutes(deps), { prefix: '/api/v1' });
  await app.register(jobRoutes(deps), { prefix: '/api/v1' });
  await app.register(auditRoutes(deps), { prefix: '/api/v1' });
  await app.register(backupRoutes(deps), { prefix: '/api/v1' });
  await app.register(metricRoutes(deps), { prefix: '/api/v1' });
  await app.register(checkRoutes(deps), { prefix: '/api/v1' });
  await app.register(heartbeatRoutes(deps), { prefix: '/api/v1' });
  await app.register(alertRoutes(deps), { prefix: '/api/v1' });
  await app.register(policyRoutes(deps), { prefix: '/api/v1' });
  await app.register(deployRoutes(deps), { prefix: '/api/v1' });
  await app.register(deployHookRoutes(deps));

  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.ready();
  return app;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
