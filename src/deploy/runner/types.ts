export interface SupervisedSpec {
  /** Service name, for messages. */
  name: string;
  /** Run with /bin/sh -c as the leader of its own process group, so stop() reaches the whole tree. */
  command: string;
  cwd: string;
  /** Added to a minimal environment (PATH, HOME, LANG): the daemon's own variables hold secrets. */
  env?: Record<string, string>;
  /** stdout and stderr go to <logDir>/current.log as `<ISO-8601 UTC> <stdout|stderr|steward> <line>`. */
  logDir: string;
  /** Rotate current.log when a write would pass this size (default 10 MiB). */
  maxLogBytes?: number;
  /** Rotated files kept: current.log.1 … current.log.N (default 5). */
  keepLogFiles?: number;
  /**
   * Exponential backoff between restarts, initialDelayMs (1 s) doubling up to maxDelayMs (60 s);
   * it starts over once a run stayed up resetAfterMs (30 s).
   */
  restart?: { initialDelayMs?: number; maxDelayMs?: number; resetAfterMs?: number };
  /** This many restarts within withinMs is a crash loop (default 5 within 60 s). */
  crashLoop?: { restarts: number; withinMs: number };
  /** SIGTERM to the group, SIGKILL after this (default 10 s). */
  stopGraceMs?: number;
}

export type SupervisedState = 'starting' | 'running' | 'backoff' | 'crash-loop' | 'stopping' | 'stopped';

export interface StateInfo {
  exitCode?: number | null;
  signal?: string | null;
}

export interface ExitInfo {
  exitCode: number | null;
  signal: string | null;
  uptimeMs: number;
}

export interface Supervised {
  readonly pid: number | null;
  readonly state: SupervisedState;
  /** Times the process was started again after an exit. */
  readonly restarts: number;
  on(event: 'state', fn: (state: SupervisedState, info: StateInfo) => void): void;
  on(event: 'exit', fn: (info: ExitInfo) => void): void;
  /** Stops the whole group and does not restart; resolves when the group is gone and the log closed. */
  stop(): Promise<void>;
}
