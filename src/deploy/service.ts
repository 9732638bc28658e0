import { Counter, Histogram, type Registry } from 'prom-client';
import type { ResolvedConfig } from '../config/resolve.js';
import type { Clock } from '../core/clock.js';
import type { CommandContext } from '../core/context.js';
import { errorMessage } from '../core/errors.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { Store } from '../store/index.js';
import { executeDeployment } from './apply.js';
import { driverFor } from './drivers/index.js';
import { NativeRuntime } from './drivers/native/runtime.js';
import { type Exposure, startExposure } from './exposure/index.js';
import { pollGitSource } from './gitops/index.js';
import { gateChecks } from './health-gate.js';
import { recoverInterrupted } from './recover.js';
import { driverContext, unitOf } from './rollout.js';
import { deployDir, gitSourceOf } from './stack.js';

export interface DeployServiceDeps {
  config: () => ResolvedConfig;
  store: Store;
  events: EventBus;
  clock: Clock;
  logger: Logger;
  registry: Registry;
  /** A check's current state as the daemon's monitoring holds it (the exposure gate's input). */
  checkState?: (check: string) => string | undefined;
}

export interface DeployService {
  readonly runtime: NativeRuntime;
  /** Takes queued deployments now (the API calls this after enqueueing). */
  kick(): void;
  readonly exposure: Exposure;
  /** Fetches the git source now (webhooks call this). */
  pollNow(): Promise<void>;
  stop(): Promise<void>;
}

const QUEUE_POLL_MS = 1000;

/**
 * Deployments as the daemon runs them: one at a time from the queue in the store (the CLI,
 * the API, webhooks and the git poller enqueue), native processes resumed at start, and
 * deployments a killed daemon left half done brought to a known state first.
 */
export async function startDeployService(deps: DeployServiceDeps): Promise<DeployService> {
  const logger = deps.logger.child({ component: 'deploy' });
  const runtime = new NativeRuntime({ stateDir: deployDir(deps.config(), 'native'), logger });
  const ctx = (): CommandContext => ({
    config: deps.config(),
    store: deps.store,
    actor: 'system',
    clock: deps.clock,
    logger,
  });
  const depsFor = { events: deps.events, runtime };
  const total = new Counter({
    name: 'steward_deployments_total',
    help: 'Service deployments that reached an outcome, by service and outcome.',
    labelNames: ['service', 'outcome'],
    registers: [deps.registry],
  });
  const duration = new Histogram({
    name: 'steward_deploy_duration_seconds',
    help: 'Time from a deployment starting to its final state.',
    labelNames: ['outcome'],
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800],
    registers: [deps.registry],
  });
  for (const c of deps.store.deployments.outcomeCounts())
    total.inc({ service: c.service, outcome: c.outcome }, c.count);
  const unsubscribe = [
    deps.events.subscribe('deploy.succeeded', (e) => total.inc({ service: e.service, outcome: 'succeeded' })),
    deps.events.subscribe('deploy.rolled_back', (e) =>
      total.inc({ service: e.service, outcome: 'rolled_back' }),
    ),
    deps.events.subscribe('deploy.failed', (e) => total.inc({ service: e.service, outcome: 'failed' })),
    deps.events.subscribe('deploy.finished', (e) =>
      duration.observe({ outcome: e.state }, e.durationMs / 1000),
    ),
  ];

  const exposure = startExposure({
    services: () => deps.config().services,
    checksOf: (service) =>
      gateChecks(ctx(), service).map((name) => ({ name, state: deps.checkState?.(name) ?? 'unknown' })),
    runs: deps.store.exposureRuns,
    events: deps.events,
    logger: logger.child({ component: 'exposure' }),
    cwd: deps.config().source.dir,
    audit: (e) => deps.store.audit.append({ actor: 'system:exposure', ...e }),
  });
  unsubscribe.push(
    deps.events.subscribe('deploy.succeeded', () => exposure.evaluate()),
    deps.events.subscribe('config.reloaded', () => exposure.evaluate()),
  );

  let stopping = false;
  let running: Promise<void> | null = null;
  const drain = async () => {
    while (!stopping) {
      const next = deps.store.deployments.nextQueued();
      if (!next) return;
      logger.info({ deployment: next.id, trigger: next.trigger }, 'deployment starting');
      try {
        const done = await executeDeployment(ctx(), depsFor, next.id);
        logger.info({ deployment: done.id, state: done.state }, 'deployment finished');
      } catch (err) {
        logger.error({ err, deployment: next.id }, 'deployment could not be run');
        return;
      }
    }
  };
  let ready = false;
  const kick = () => {
    if (running || stopping || !ready) return;
    running = drain().finally(() => {
      running = null;
    });
  };
  const timer = setInterval(kick, QUEUE_POLL_MS);
  timer.unref();
  // In the background, so the API is up while an interrupted deployment is gated again.
  const starting = (async () => {
    try {
      const recovered = await recoverInterrupted(ctx(), depsFor);
      if (recovered)
        logger.warn({ deployments: recovered }, 'recovered deployments a stopped daemon left running');
      await resumeLive(ctx(), depsFor, logger);
    } catch (err) {
      logger.error({ err }, 'deploy recovery failed');
    }
    ready = true;
    kick();
  })();

  const git = gitSourceOf(deps.config());
  const pollMs = deps.config().deploy.source.git?.poll ?? 0;
  const handlers = {
    onChange: (rev: { commit: string }) => {
      const latest = deps.store.deployments.list({ limit: 1 })[0];
      if (latest?.commit === rev.commit) return;
      const d = deps.store.deployments.enqueue({
        trigger: 'poll',
        actor: 'system:git-poll',
        commit: rev.commit,
      });
      logger.info({ deployment: d.id, commit: rev.commit }, 'new commit: deployment queued');
      kick();
    },
    onError: (err: unknown) => logger.warn({ err: errorMessage(err) }, 'git fetch failed'),
  };
  const poller = git && pollMs > 0 ? pollGitSource(git, pollMs, handlers) : null;
  // poll: 0s fetches once at start; after that only webhooks and `steward deploy apply` do.
  const initialFetch =
    git && !poller ? git.fetch().then(handlers.onChange, handlers.onError) : Promise.resolve();

  return {
    runtime,
    exposure,
    kick,
    pollNow: async () => {
      await poller?.pollNow();
    },
    async stop() {
      stopping = true;
      clearInterval(timer);
      await starting;
      for (const off of unsubscribe) off();
      await poller?.stop();
      await initialFetch;
      await running;
      await exposure.stop();
      await runtime.shutdown();
    },
  };
}

/** Native services Steward runs itself come back up with the daemon, on their Live release. */
async function resumeLive(
  ctx: CommandContext,
  deps: { events: EventBus; runtime: NativeRuntime },
  logger: Logger,
): Promise<void> {
  for (const [name, spec] of Object.entries(ctx.config.services)) {
    if (spec.kind !== 'native' || spec.native?.runner !== 'supervised') continue;
    const live = ctx.store.deployments.live(name);
    // A service recovery just gated is already running.
    if (!live || deps.runtime.running(name)) continue;
    try {
      await driverFor('native').resume(driverContext(ctx, deps, live.deploymentId, name), unitOf(ctx, live));
      logger.info({ service: name, deployment: live.deploymentId }, 'native service resumed');
    } catch (err) {
      logger.error({ err, service: name }, 'could not resume a native service');
    }
  }
}
