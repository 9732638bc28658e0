import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { errorMessage, StewardError } from '../../core/errors.js';
import { terminateGroup } from '../../core/proc.js';
import { LogWriter } from './log-writer.js';
import type { ExitInfo, StateInfo, Supervised, SupervisedSpec, SupervisedState } from './types.js';

type StateListener = (state: SupervisedState, info: StateInfo) => void;
type ExitListener = (info: ExitInfo) => void;

/** A group whose leader exited may have handed its pipes to a process that left the group (setsid). */
const pipeCloseWaitMs = 2000;

/** The variables a service gets besides its own: the daemon's environment holds its secrets. */
export function minimalEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'LANG'] as const) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return { ...env, ...extra };
}

interface Run {
  child: ChildProcess | null;
  /** The shell's pid, which is also its process group id (detached). */
  pgid: number | undefined;
  startedAt: number;
  closed: Promise<void>;
  handled: boolean;
  /** Set once something has begun to take the group down (stop() or the leader's exit). */
  termination?: Promise<void>;
}

class Supervisor implements Supervised {
  readonly #spec: SupervisedSpec;
  readonly #initialDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #resetAfterMs: number;
  readonly #loopRestarts: number;
  readonly #loopWithinMs: number;
  readonly #graceMs: number;
  readonly #log: LogWriter;
  readonly #stateListeners: StateListener[] = [];
  readonly #exitListeners: ExitListener[] = [];
  #state: SupervisedState = 'starting';
  #run: Run | null = null;
  #restarts = 0;
  /** Restarts since the last run that stayed up resetAfterMs: the backoff exponent. */
  #consecutive = 0;
  /** Monotonic times of recent restarts, for crash-loop detection. */
  #restartTimes: number[] = [];
  #looping = false;
  #paused = false;
  #timer: NodeJS.Timeout | undefined;
  #stopping: Promise<void> | null = null;
  #resolveStop: () => void = () => {};

  constructor(spec: SupervisedSpec) {
    this.#spec = spec;
    this.#initialDelayMs = spec.restart?.initialDelayMs ?? 1000;
    this.#maxDelayMs = Math.max(spec.restart?.maxDelayMs ?? 60_000, this.#initialDelayMs);
    this.#resetAfterMs = spec.restart?.resetAfterMs ?? 30_000;
    this.#loopRestarts = spec.crashLoop?.restarts ?? 5;
    this.#loopWithinMs = spec.crashLoop?.withinMs ?? 60_000;
    this.#graceMs = spec.stopGraceMs ?? 10_000;
    try {
      this.#log = new LogWriter({
        dir: spec.logDir,
        maxBytes: spec.maxLogBytes ?? 10 * 1024 * 1024,
        keepFiles: spec.keepLogFiles ?? 5,
      });
    } catch (err) {
      throw new StewardError(
        'E_CONFIG',
        `${spec.name}: cannot open the log in ${spec.logDir}: ${errorMessage(err)}`,
        {
          hint: 'the daemon needs to create and write that directory',
          cause: err,
        },
      );
    }
    // Deferred so that listeners attached right after startSupervised() see 'starting' and 'running'.
    process.nextTick(() => this.#launch());
  }

  get pid(): number | null {
    return this.#run?.pgid ?? null;
  }

  get state(): SupervisedState {
    return this.#state;
  }

  get restarts(): number {
    return this.#restarts;
  }

  on(event: 'state', fn: StateListener): void;
  on(event: 'exit', fn: ExitListener): void;
  on(event: 'state' | 'exit', fn: StateListener | ExitListener): void {
    if (event === 'state') this.#stateListeners.push(fn as StateListener);
    else this.#exitListeners.push(fn as ExitListener);
  }

  stop(): Promise<void> {
    if (this.#stopping) return this.#stopping;
    this.#stopping = new Promise((resolve) => {
      this.#resolveStop = resolve;
    });
    clearTimeout(this.#timer);
    this.#setState('stopping', {});
    const run = this.#run;
    if (run) {
      // The exit handler finishes the stop once the group is gone.
      if (run.pgid !== undefined) run.termination ??= terminateGroup(run.pgid, this.#graceMs);
    } else {
      void this.#finishStop();
    }
    return this.#stopping;
  }

  #launch(): void {
    if (this.#stopping) return;
    this.#setState('starting', {});
    const startedAt = performance.now();
    if (!existsSync(this.#spec.cwd)) {
      this.#log.line('steward', `failed to start: working directory ${this.#spec.cwd} does not exist`);
      this.#startFailed(startedAt);
      return;
    }
    let child: ChildProcess;
    try {
      child = spawn('/bin/sh', ['-c', this.#spec.command], {
        cwd: this.#spec.cwd,
        env: minimalEnv(this.#spec.env),
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      this.#log.line('steward', `failed to start: ${errorMessage(err)}`);
      this.#startFailed(startedAt);
      return;
    }
    const run: Run = {
      child,
      pgid: child.pid,
      startedAt,
      closed: new Promise((resolve) => child.once('close', () => resolve())),
      handled: false,
    };
    this.#run = run;
    this.#paused = false;
    child.stdout?.on('data', (c: Buffer) => this.#output('stdout', c));
    child.stderr?.on('data', (c: Buffer) => this.#output('stderr', c));
    child.once('spawn', () => {
      this.#log.line('steward', `started pid ${child.pid}`);
      if (!this.#stopping) this.#setState('running', {});
    });
    child.on('error', (err) => {
      // Only a failed spawn reaches here: this class never calls child.kill().
      if (child.pid !== undefined) return;
      this.#log.line('steward', `failed to start: ${errorMessage(err)}`);
      void this.#exited(run, null, null);
    });
    child.once('exit', (code, signal) => void this.#exited(run, code, signal));
  }

  #startFailed(startedAt: number): void {
    const run: Run = { child: null, pgid: undefined, startedAt, closed: Promise.resolve(), handled: false };
    this.#run = run;
    void this.#exited(run, null, null);
  }

  #output(stream: 'stdout' | 'stderr', chunk: Buffer): void {
    if (this.#log.chunk(stream, chunk) || this.#paused) return;
    // Backpressure: a slow disk slows the service's writes rather than the daemon's memory.
    const child = this.#run?.child;
    this.#paused = true;
    child?.stdout?.pause();
    child?.stderr?.pause();
    void this.#log.whenDrained().then(() => {
      this.#paused = false;
      child?.stdout?.resume();
      child?.stderr?.resume();
    });
  }

  async #exited(run: Run, exitCode: number | null, signal: NodeJS.Signals | null): Promise<void> {
    if (run.handled) return;
    run.handled = true;
    const uptimeMs = Math.round(performance.now() - run.startedAt);
    // Helpers the service left behind would hold its port against the next start.
    if (run.pgid !== undefined) run.termination ??= terminateGroup(run.pgid, this.#graceMs);
    await run.termination;
    let waitTimer: NodeJS.Timeout | undefined;
    await Promise.race([run.closed, new Promise((r) => (waitTimer = setTimeout(r, pipeCloseWaitMs)))]);
    clearTimeout(waitTimer);
    run.child?.stdout?.destroy();
    run.child?.stderr?.destroy();
    this.#log.flush('stdout');
    this.#log.flush('stderr');
    if (exitCode !== null) this.#log.line('steward', `exited code ${exitCode}`);
    else if (signal !== null) this.#log.line('steward', `exited signal ${signal}`);
    this.#run = null;
    for (const fn of this.#exitListeners) guard(() => fn({ exitCode, signal, uptimeMs }));
    if (this.#stopping) {
      await this.#finishStop();
      return;
    }
    this.#scheduleRestart(uptimeMs, { exitCode, signal });
  }

  #scheduleRestart(uptimeMs: number, info: StateInfo): void {
    const now = performance.now();
    if (uptimeMs >= this.#resetAfterMs) {
      // The run stayed up: whatever was looping before is over.
      this.#consecutive = 0;
      this.#restartTimes = [];
      this.#looping = false;
    }
    this.#restartTimes = [...this.#restartTimes.filter((t) => now - t < this.#loopWithinMs), now];
    if (this.#restartTimes.length >= this.#loopRestarts) this.#looping = true;
    // In a crash loop it keeps trying at the longest delay, so a fixed release comes back by itself.
    const delay = this.#looping
      ? this.#maxDelayMs
      : Math.min(this.#maxDelayMs, this.#initialDelayMs * 2 ** this.#consecutive);
    this.#consecutive++;
    this.#log.line('steward', `restarting in ${delay}ms`);
    this.#setState(this.#looping ? 'crash-loop' : 'backoff', info);
    this.#timer = setTimeout(() => {
      this.#restarts++;
      this.#launch();
    }, delay);
  }

  async #finishStop(): Promise<void> {
    await this.#log.close();
    this.#setState('stopped', {});
    this.#resolveStop();
  }

  #setState(state: SupervisedState, info: StateInfo): void {
    this.#state = state;
    for (const fn of this.#stateListeners) guard(() => fn(state, info));
  }
}

/** A listener's bug must not stop the supervision of a service. */
function guard(fn: () => void): void {
  try {
    fn();
  } catch {
    // Deliberately dropped: the caller's listener, the caller's bug.
  }
}

/** Starts `spec.command` and keeps it running until stop(): restarts with backoff, logs to logDir. */
export function startSupervised(spec: SupervisedSpec): Supervised {
  return new Supervisor(spec);
}
