import http from 'node:http';

export interface ProxyTarget {
  host: string;
  port: number;
}

/** One request or tunnel open to an upstream; `abort` ends it by force (drain timeout, close). */
export interface InFlightHandle {
  abort(): void;
}

/**
 * One generation of upstream: the target plus its own keep-alive agent and what is open to it.
 * Every switch makes a new generation (even to the same host:port), so a pooled socket of the
 * previous one is never handed to a request that arrives after the switch.
 */
export class Upstream {
  readonly agent: http.Agent;
  private readonly open = new Set<InFlightHandle>();
  private waiters: Array<() => void> = [];
  private forced = false;

  constructor(readonly target: Readonly<ProxyTarget>) {
    this.agent = new http.Agent({ keepAlive: true });
  }

  get size(): number {
    return this.open.size;
  }

  /** Registers an open request/tunnel; the returned release may be called any number of times. */
  track(handle: InFlightHandle): () => void {
    this.open.add(handle);
    return () => {
      if (!this.open.delete(handle) || this.open.size > 0) return;
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    };
  }

  whenIdle(): Promise<void> {
    if (this.open.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Ends everything still open by force. */
  abortAll(): void {
    if (this.open.size > 0) this.forced = true;
    // Copy: each abort releases its handle, which edits the set.
    for (const handle of [...this.open]) handle.abort();
  }

  /**
   * Waits for what is open to finish, up to `timeoutMs`, then aborts the rest and closes the
   * agent's pooled sockets. True when nothing had to be aborted.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    if (this.open.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        this.whenIdle().then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(resolve, timeoutMs, true);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) this.abortAll();
    }
    this.agent.destroy();
    return !this.forced;
  }
}
