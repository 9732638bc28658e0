import type { Logger } from '../../core/logger.js';
import type { CheckDefinition } from './definition.js';
import { MinHeap } from './min-heap.js';
import type { ProbeResult } from './types.js';

export interface CheckSchedulerDeps {
  logger: Logger;
  /** At most this many probes run at once; the rest wait their turn in order. */
  maxInFlight: number;
  onResult(def: CheckDefinition, result: ProbeResult): void;
  /** Actual start minus planned start, for every scheduled probe. */
  onLag?(lagMs: number): void;
  /** A planned run dropped because the previous one of the same check was still running. */
  onSkipped?(def: CheckDefinition): void;
  now?(): number;
}

interface Due {
  at: number;
  name: string;
}

/**
 * Runs thousands of checks on their intervals without a thundering herd: each check has a
 * fixed phase within its interval (spread evenly among the checks of that interval, and
 * anchored to the epoch so a restart keeps the rhythm). One timer serves them all from a
 * min-heap. A probe is cut off at its timeout even if its driver does not stop, and a check
 * never runs while its previous probe is still running.
 */
export class CheckScheduler {
  readonly #deps: CheckSchedulerDeps;
  readonly #now: () => number;
  #defs = new Map<string, CheckDefinition>();
  #phase = new Map<string, number>();
  #heap = new MinHeap<Due>((a, b) => a.at - b.at);
  readonly #running = new Map<string, Promise<ProbeResult | null>>();
  readonly #waiting: Due[] = [];
  #inFlight = 0;
  #timer: NodeJS.Timeout | null = null;
  #timerAt = Number.POSITIVE_INFINITY;
  #started = false;
  readonly #stop = new AbortController();

  constructor(deps: CheckSchedulerDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  setChecks(defs: readonly CheckDefinition[]): void {
    this.#defs = new Map(defs.map((d) => [d.name, d]));
    this.#phase = spreadPhases(defs);
    this.#heap = new MinHeap<Due>((a, b) => a.at - b.at);
    this.#waiting.length = 0;
    const now = this.#now();
    for (const def of defs) this.#heap.push({ name: def.name, at: this.#nextAt(def, now) });
    if (this.#started) this.#arm();
  }

  start(): void {
    this.#started = true;
    this.#arm();
  }

  /** Stops planning and aborts the probes in flight; waits for them up to `graceMs` (a driver may ignore its signal). */
  async stop(graceMs = 2000): Promise<void> {
    this.#started = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#stop.abort(new Error('the daemon is stopping'));
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([Promise.allSettled([...this.#running.values()]), grace]);
    clearTimeout(timer);
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Runs one check now, outside its rhythm (joins the probe already running, if any); null: a passive check has no verdict yet. */
  runNow(name: string): Promise<ProbeResult | null> | undefined {
    const def = this.#defs.get(name);
    if (!def) return undefined;
    return this.#running.get(name) ?? this.#run(def);
  }

  #nextAt(def: CheckDefinition, after: number): number {
    const phase = this.#phase.get(def.name) ?? 0;
    const n = Math.floor((after - phase) / def.intervalMs) + 1;
    return n * def.intervalMs + phase;
  }

  #arm(): void {
    const head = this.#heap.peek();
    if (!head || !this.#started) return;
    if (this.#timer && this.#timerAt <= head.at) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = head.at;
    this.#timer = setTimeout(() => this.#tick(), Math.max(0, head.at - this.#now()));
  }

  #tick(): void {
    this.#timer = null;
    this.#timerAt = Number.POSITIVE_INFINITY;
    const now = this.#now();
    for (let head = this.#heap.peek(); head && head.at <= now; head = this.#heap.peek()) {
      this.#heap.pop();
      const def = this.#defs.get(head.name);
      if (!def) continue;
      this.#heap.push({ name: def.name, at: this.#nextAt(def, Math.max(now, head.at)) });
      if (this.#running.has(def.name)) {
        this.#deps.onSkipped?.(def);
        continue;
      }
      this.#waiting.push(head);
    }
    this.#drain();
    this.#arm();
  }

  #drain(): void {
    while (this.#inFlight < this.#deps.maxInFlight && this.#waiting.length > 0 && this.#started) {
      const due = this.#waiting.shift() as Due;
      const def = this.#defs.get(due.name);
      if (!def || this.#running.has(def.name)) continue;
      this.#deps.onLag?.(this.#now() - due.at);
      this.#run(def).catch(() => {});
    }
  }

  #run(def: CheckDefinition): Promise<ProbeResult | null> {
    this.#inFlight++;
    const timeout = new AbortController();
    const signal = AbortSignal.any([timeout.signal, this.#stop.signal]);
    const timedOut: ProbeResult = { status: 'down', message: `timed out after ${def.timeoutMs} ms` };
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<ProbeResult | null>((resolve) => {
      timer = setTimeout(() => {
        timeout.abort(new Error(timedOut.message));
        resolve(timedOut);
      }, def.timeoutMs);
    });
    const started = this.#now();
    const probe = def.probe({ signal, timeoutMs: def.timeoutMs, logger: this.#deps.logger }).then(
      (result) => result,
      (err: unknown) => this.#crashed(def, err),
    );
    // The result is whichever comes first; the slot and the no-overlap guard are held until
    // the driver has really finished, so a driver that ignores its signal cannot pile up.
    const result = Promise.race([probe, deadline]).then((r) => {
      clearTimeout(timer);
      if (r !== null && !this.#stop.signal.aborted) {
        this.#deps.onResult(def, def.passive ? r : withLatency(r, this.#now() - started));
      }
      return r;
    });
    const settled = Promise.allSettled([probe, result]).then(() => {
      this.#inFlight--;
      this.#running.delete(def.name);
      this.#drain();
    });
    const tracked = result.finally(() => settled);
    this.#running.set(def.name, tracked);
    return tracked;
  }

  #crashed(def: CheckDefinition, err: unknown): ProbeResult {
    this.#deps.logger.error({ err, check: def.name }, 'check driver threw');
    return { status: 'down', message: `check failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}

function withLatency(result: ProbeResult, elapsed: number): ProbeResult {
  return result.latencyMs === undefined && result.status !== 'down'
    ? { ...result, latencyMs: elapsed }
    : result;
}

/** Evenly spaced phases for the checks sharing an interval, in name order (stable across restarts). */
export function spreadPhases(
  defs: readonly Pick<CheckDefinition, 'name' | 'intervalMs'>[],
): Map<string, number> {
  const byInterval = new Map<number, string[]>();
  for (const d of defs) {
    const names = byInterval.get(d.intervalMs) ?? [];
    names.push(d.name);
    byInterval.set(d.intervalMs, names);
  }
  const phases = new Map<string, number>();
  for (const [interval, names] of byInterval) {
    names.sort();
    names.forEach((name, i) => {
      phases.set(name, Math.floor((i * interval) / names.length));
    });
  }
  return phases;
}
