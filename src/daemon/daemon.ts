import '../deploy/events.js';
import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { startAlerting } from '../alerts/service.js';
import { backupScheduledJobs, recoverStaleRuns } from '../backup/index.js';
import { backupMetrics } from '../backup/metrics.js';
import { formatIssue } from '../config/issues.js';
import { type ConfigLocation, checkConfig, loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { parseListen } from '../config/schema.js';
import { type Clock, systemClock } from '../core/clock.js';
import type { CommandContext } from '../core/context.js';
import { errorMessage, StewardError } from '../core/errors.js';
import { EventBus } from '../core/events.js';
import { createLogger, type Logger } from '../core/logger.js';
import { stewardVersion } from '../core/version.js';
import { startDeployService } from '../deploy/service.js';
import { commandJobs } from '../jobs/command-job.js';
import { metricsScheduledJobs } from '../monitor/metrics.js';
import { startMonitoring } from '../monitor/monitoring.js';
import { startMqttIngest } from '../mqtt/ingest-service.js';
import { startRetainedScans } from '../mqtt/retained/service.js';
import { startCompliance } from '../policy/compliance.js';
import { buildServer } from '../server/app.js';
import { daemonLockFile } from '../status/status.js';
import { openStore, type Store } from '../store/db.js';
import { syncConfigToStore } from './config-sync.js';
import { ensureInitialAdminToken } from './first-token.js';
import { acquireLock, type Lock } from './lock.js';
import { createDaemonMetrics } from './metrics.js';
import { createNotifier } from './notify.js';
import { Scheduler } from './scheduler.js';
import { storeRecorder } from './store-recorder.js';

export interface DaemonOptions extends ConfigLocation {
  logger?: Logger;
  clock?: Clock;
}

export interface DaemonHandle {
  readonly url: string;
  readonly pid: number;
  /** Set on the very first start: the admin token, shown once, and the 0600 file holding it. */
  readonly initialToken: { token: string; file: string } | null;
  /** Re-reads the config; on an error keeps the running config and returns the problems. */
  reload(): { ok: boolean; problems: string[] };
  /** Stops taking work, lets running jobs finish within the grace period, then aborts them. */
  stop(reason: string): Promise<void>;
  readonly stopped: Promise<void>;
}

/**
 * The composition root: config → lock → store → capabilities → scheduler → HTTP server.
 * Every capability is built here from the resolved config, and nowhere else.
 */
export async function startDaemon(opts: DaemonOptions = {}): Promise<DaemonHandle> {
  let config = loadConfig(opts);
  const clock = opts.clock ?? systemClock;
  const logger = opts.logger ?? createLogger({ level: config.daemon.log_level });
  const cleanup: (() => void | Promise<void>)[] = [];
  const runCleanup = async () => {
    for (const step of cleanup.reverse()) {
      try {
        await step();
      } catch (err) {
        logger.error({ err }, 'shutdown step failed');
      }
    }
  };

  try {
    fs.mkdirSync(config.data_dir, { recursive: true, mode: 0o700 });
    const lock: Lock = acquireLock(daemonLockFile(config.data_dir), { purpose: 'daemon' });
    cleanup.push(() => lock.release());

    const store: Store = openStore({ file: `${config.data_dir}/steward.db`, clock });
    cleanup.push(() => store.close());
    const abandoned = store.jobRuns.abortStale('the daemon stopped before the run finished');
    if (abandoned > 0) logger.warn({ runs: abandoned }, 'marked runs left by an earlier daemon as aborted');
    syncConfigToStore(store, config);
    const initialToken = ensureInitialAdminToken(store, config.data_dir);

    const events = new EventBus((err, event) => logger.error({ err, event }, 'event subscriber failed'));
    const metrics = createDaemonMetrics();
    const scheduler = new Scheduler({
      recorder: storeRecorder(store),
      logger: logger.child({ component: 'scheduler' }),
      clock,
      onRunStarted: (run) => events.publish('job.started', run),
      onRunFinished: (result) => {
        metrics.jobFinished(result.job, result.outcome, result.durationMs);
        events.publish('job.finished', result);
        const level = result.outcome === 'ok' ? 'info' : 'warn';
        logger[level](
          { job: result.job, runId: result.runId, outcome: result.outcome, error: result.error },
          'job run finished',
        );
      },
      onSkipped: (job) => metrics.jobSkipped(job),
    });
    const backupCtx = (): CommandContext => ({ config, store, actor: 'system', clock, logger });
    const scheduledJobs = () => [
      ...commandJobs(config, logger),
      ...backupScheduledJobs(backupCtx, { events }),
      ...metricsScheduledJobs(backupCtx),
    ];
    scheduler.setJobs(scheduledJobs());
    backupMetrics(metrics.registry, store, () => Object.keys(config.backups.jobs));
    const staleBackups = await recoverStaleRuns(backupCtx());
    if (staleBackups > 0)
      logger.warn({ runs: staleBackups }, 'marked backup runs left by a dead process as aborted');

    const monitoring = startMonitoring({ config, store, events, clock, logger, registry: metrics.registry });
    cleanup.push(() => monitoring.stop());
    const alerting = startAlerting({
      config: () => config,
      store,
      events,
      clock,
      logger,
      registry: metrics.registry,
      checks: () =>
        monitoring.engine
          .list()
          .map((r) => ({ ...r, labels: monitoring.engine.definition(r.name)?.labels ?? {} })),
      baseUrl: `http://${config.server.listen}`,
    });
    cleanup.push(() => alerting.stop());
    const compliance = startCompliance({
      config: () => config,
      store,
      events,
      logger,
      registry: metrics.registry,
    });
    cleanup.push(() => compliance.stop());
    const deploy = await startDeployService({
      checkState: (name) => monitoring.engine.get(name)?.state,
      config: () => config,
      store,
      events,
      clock,
      logger,
      registry: metrics.registry,
    });
    cleanup.push(() => deploy.stop());
    const mqttIngest = await startMqttIngest({ config, store, events, logger, registry: metrics.registry });
    cleanup.push(() => mqttIngest?.stop());
    const retainedScans = startRetainedScans({ config, store, clock, logger, registry: metrics.registry });
    cleanup.push(() => retainedScans?.stop());
    // A git stack's compose files change when a deployment syncs them: lint them again.
    cleanup.push(events.subscribe('deploy.finished', () => compliance.reload()));

    const app: FastifyInstance = await buildServer({
      monitoring,
      alerting,
      compliance,
      deploy,
      config: () => config,
      store,
      scheduler,
      metrics,
      logger,
      clock,
      events,
    });
    cleanup.push(() => app.close());
    const { host, port } = parseListen(config.server.listen);
    try {
      await app.listen({ host, port });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new StewardError(
        'E_EXTERNAL',
        `cannot listen on ${config.server.listen}: ${code ?? errorMessage(err)}`,
        {
          hint:
            code === 'EADDRINUSE'
              ? 'another process uses that port; change server.listen'
              : 'check server.listen',
        },
      );
    }
    const address = app.server.address();
    const boundPort = typeof address === 'object' && address ? address.port : port;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;

    scheduler.start();
    const notifier = createNotifier({ logger });
    // Commands the jobs run must not be able to speak to systemd for the daemon (NotifyAccess=all).
    for (const key of ['NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID']) delete process.env[key];
    notifier.ready();
    notifier.startWatchdog();
    logger.info(
      { url, version: stewardVersion, pid: process.pid, data_dir: config.data_dir },
      'steward daemon started',
    );

    let resolveStopped: () => void = () => {};
    const stopped = new Promise<void>((resolve) => {
      resolveStopped = resolve;
    });
    let stopping: Promise<void> | null = null;

    return {
      url,
      pid: process.pid,
      initialToken,
      stopped,
      reload() {
        const result = checkConfig(opts);
        if (!result.ok) {
          const problems = result.issues.map(formatIssue);
          for (const problem of problems)
            logger.error({ problem }, 'config reload refused; keeping the running config');
          return { ok: false, problems };
        }
        const next = result.config;
        const restartNeeded = restartOnlyChanges(config, next);
        if (restartNeeded.length)
          logger.warn({ keys: restartNeeded }, 'these changes take effect after a restart');
        config = next;
        syncConfigToStore(store, config);
        scheduler.setJobs(scheduledJobs());
        monitoring.reload(config);
        alerting.reload();
        compliance.reload();
        logger.level = config.daemon.log_level;
        events.publish('config.reloaded', { changed: true });
        logger.info('config reloaded');
        return { ok: true, problems: [] };
      },
      stop(reason) {
        stopping ??= (async () => {
          logger.info({ reason, grace_ms: config.daemon.shutdown_grace }, 'stopping');
          notifier.stopping();
          notifier.stopWatchdog();
          await scheduler.stop(config.daemon.shutdown_grace);
          await runCleanup();
          await notifier.flush();
          logger.info('stopped');
          resolveStopped();
        })();
        return stopping;
      },
    };
  } catch (err) {
    await runCleanup();
    throw err;
  }
}

function restartOnlyChanges(from: ResolvedConfig, to: ResolvedConfig): string[] {
  const keys: string[] = [];
  if (from.server.listen !== to.server.listen) keys.push('server.listen');
  if (from.data_dir !== to.data_dir) keys.push('data_dir');
  return keys;
}
