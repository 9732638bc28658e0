/**
 * Counts failed authentications per client address in a fixed window. Past the limit the
 * address is refused (429) until the window ends, whatever token it sends, which makes
 * guessing tokens pointless and keeps a flood from filling the audit log.
 */
export interface FailureLimiterOptions {
  maxFailures: number;
  windowMs: number;
  now?: () => number;
}

interface Entry {
  failures: number;
  windowStart: number;
  blockedReported: boolean;
}

export class FailureLimiter {
  readonly #entries = new Map<string, Entry>();
  readonly #opts: Required<FailureLimiterOptions>;

  constructor(opts: FailureLimiterOptions) {
    this.#opts = { now: Date.now, ...opts };
  }

  #entry(key: string): Entry {
    const now = this.#opts.now();
    let entry = this.#entries.get(key);
    if (!entry || now - entry.windowStart >= this.#opts.windowMs) {
      entry = { failures: 0, windowStart: now, blockedReported: false };
      this.#entries.set(key, entry);
    }
    if (this.#entries.size > 10_000) this.#sweep(now);
    return entry;
  }

  /** Seconds until the address may try again, or 0 when it is not blocked. */
  blockedFor(key: string): number {
    const entry = this.#entry(key);
    if (entry.failures < this.#opts.maxFailures) return 0;
    return Math.max(1, Math.ceil((entry.windowStart + this.#opts.windowMs - this.#opts.now()) / 1000));
  }

  recordFailure(key: string): void {
    this.#entry(key).failures++;
  }

  /** True once per window, the first time a blocked address is refused (audit it once). */
  shouldReportBlock(key: string): boolean {
    const entry = this.#entry(key);
    if (entry.blockedReported) return false;
    entry.blockedReported = true;
    return true;
  }

  #sweep(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (now - entry.windowStart >= this.#opts.windowMs) this.#entries.delete(key);
    }
  }
}
