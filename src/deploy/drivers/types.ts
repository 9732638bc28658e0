import type { ResolvedConfig } from '../../config/resolve.js';
import type { Logger } from '../../core/logger.js';
import type { ServiceConfig } from '../render.js';
import type { NativeRuntime } from './native/runtime.js';

/** One service at one definition, as a driver applies it. */
export interface DeployUnit {
  service: string;
  spec: ServiceConfig;
  /** The service deployment row. */
  id: string;
  deploymentId: string;
  configHash: string;
  /** The exact definition applied, kept for rollback (compose files, or the release). */
  snapshotDir: string;
  /** Driver facts stored on the row (colour, port, version…). */
  detail: Record<string, unknown>;
}

export interface DriverContext {
  config: ResolvedConfig;
  logger: Logger;
  /** Environment for child processes (DOCKER_HOST…). */
  env: NodeJS.ProcessEnv;
  /** Native processes and proxies the daemon holds. */
  runtime: NativeRuntime;
  /** A line in the deployment's log. */
  log(message: string, level?: 'info' | 'warn' | 'error'): void;
  signal?: AbortSignal;
}

export type Verdict = { verdict: 'healthy' | 'pending' | 'failed'; reason: string };

/**
 * A deploy driver: compose or native. Apply makes the unit run; observe is the driver's own
 * view of it (container health, process state); promote finishes a unit that passed the
 * gate; abandon undoes a unit that failed it.
 */
export interface DeployDriver {
  readonly kind: 'compose' | 'native';
  /** Checks the definition before anything changes (compose config, the release exists). */
  validate(ctx: DriverContext, unit: DeployUnit): Promise<void>;
  /** Returns detail to store on the row. */
  apply(ctx: DriverContext, unit: DeployUnit, previous: DeployUnit | null): Promise<Record<string, unknown>>;
  observe(ctx: DriverContext, unit: DeployUnit): Promise<Verdict>;
  promote(ctx: DriverContext, unit: DeployUnit, previous: DeployUnit | null): Promise<void>;
  /** reapplyPrevious: the previous unit must be applied again (recreate); false when it still runs (blue/green). */
  abandon(
    ctx: DriverContext,
    unit: DeployUnit,
    previous: DeployUnit | null,
  ): Promise<{ reapplyPrevious: boolean }>;
  /** Daemon start: bring the Live unit back up where Steward itself runs it. */
  resume(ctx: DriverContext, unit: DeployUnit): Promise<void>;
  /** Daemon stop: stop what Steward itself runs (supervised processes); containers stay. */
  shutdown?(ctx: DriverContext, service: string): Promise<void>;
}
