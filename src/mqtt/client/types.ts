/** One message as received from the broker, in the order the broker sent it. */
export interface IncomingMessage {
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
  /** The broker's DUP flag: set on a redelivery after a lost connection (the sink must be idempotent). */
  dup: boolean;
  receivedAt: Date;
}

/**
 * Commits a batch durably (one SQLite transaction in Steward). Resolves only after the commit.
 * May throw: then nothing of the batch was committed, and the same batch is offered again.
 * Delivery is at-least-once: after a crash or a lost connection a message may come again.
 */
export type BatchSink = (batch: IncomingMessage[]) => Promise<void> | void;

export interface IngestLogger {
  info(o: object, m: string): void;
  warn(o: object, m: string): void;
  error(o: object, m: string): void;
}

export interface IngestClientOptions {
  url: string;
  username?: string;
  password?: string;
  /** Fixed per installation: the broker keeps the session (subscriptions, queued messages) under it. */
  clientId: string;
  /** Topic filters, each subscribed at QoS 1. */
  subscriptions: string[];
  sink: BatchSink;
  /** A batch is committed when it holds maxMessages (default 500) or maxDelayMs (default 5) after its first message. */
  batch?: { maxMessages?: number; maxDelayMs?: number };
  /** MQTT 5 session expiry (default 7 days); MQTT 3.1.1 (clean: false) is used if the broker refuses v5. */
  sessionExpirySeconds?: number;
  /** Reconnect backoff, doubling from initialMs (default 500) to maxMs (default 30 000). */
  reconnect?: { initialMs?: number; maxMs?: number };
  /** Emit 'disconnected-too-long' once per outage after this long (default 60 000). */
  disconnectedAlertAfterMs?: number;
  /** Received but not yet committed messages at most; reading pauses at this count (default 10 000). */
  maxInFlight?: number;
  /** How long stop() keeps retrying a failing sink before it closes without acking (default 10 000). */
  stopTimeoutMs?: number;
  logger?: IngestLogger;
}

export interface IngestEvents {
  connected: { protocolVersion: 4 | 5; sessionPresent: boolean; connects: number };
  disconnected: { reason: string; at: string };
  'disconnected-too-long': { since: string; forMs: number };
  batch: { size: number; attempts: number; acked: number; committed: number; commitMs: number };
}

export type IngestEventName = keyof IngestEvents;

export interface IngestStats {
  connected: boolean;
  /** Messages handed to the client by the broker (redeliveries count again). */
  received: number;
  /** Messages in committed batches. */
  committed: number;
  /** Sink calls that threw (each retry counts). */
  failedBatches: number;
  /** Received, not yet committed. */
  inFlight: number;
  lastMessageAt: string | null;
  disconnectedSince: string | null;
}

export interface IngestClient {
  /** The first 'connected' happens before startIngestClient resolves: read stats().connected for it. */
  on<E extends IngestEventName>(event: E, fn: (info: IngestEvents[E]) => void): void;
  stats(): IngestStats;
  /** Stops reading, commits and acks what is pending, disconnects; the session stays on the broker. */
  stop(): Promise<void>;
}
