export interface ProxyLogger {
  warn(obj: object, msg: string): void;
  info?(obj: object, msg: string): void;
}

export interface ProxyCounters {
  /** Plain HTTP requests received (upgrades are counted apart). */
  requests: number;
  /** Requests and upgrades not carried through: 502/503/504, or cut short by the upstream. */
  failed: number;
  upgrades: number;
}

/** What the per-request and per-tunnel code shares with the proxy. */
export interface ProxyContext {
  readonly counters: ProxyCounters;
  readonly logger: ProxyLogger | undefined;
}
