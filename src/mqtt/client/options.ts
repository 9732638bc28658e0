import { StewardError } from '../../core/errors.js';
import type { BatchSink, IngestClientOptions, IngestLogger } from './types.js';

/**
 * Defaults, measured on the shared 2-core test box against Mosquitto 2.0.11 on loopback, sink =
 * better-sqlite3 WAL + synchronous=NORMAL, one transaction per batch (bench scripts not kept;
 * client.test.ts and crash.test.ts print their own numbers):
 *  - Draining a queued backlog of 50 000 QoS 1 messages: 30 000–100 000 msg/s whatever the
 *    batch size (100…2000) — MQTT parsing, not SQLite, is the cost when commits are cheap.
 *  - With a 2 ms commit (an SD card's fsync), in-flight decides: the broker sends at most
 *    Receive Maximum unacked messages, so a batch never holds more. maxInFlight 20 (Mosquitto's
 *    max_inflight_messages default) → 6 300 msg/s, 100 → 18 000, 1000 → 27 000, 10 000 → 35 000.
 *    Hence maxInFlight 10 000, advertised as MQTT 5 Receive Maximum (it overrides
 *    max_inflight_messages in Mosquitto 2; a 3.1.1 fallback is held to that setting).
 *  - Live, with an MQTT.js publisher in another process: 100 000 in 6.4 s (15 600 msg/s); the
 *    publisher was the limit (the last commit came before the publisher process had exited).
 *  - maxMessages 500 / maxDelayMs 5: larger batches gained nothing measurable; 5 ms is invisible
 *    to people and lets a burst gather.
 */
export const defaults = {
  maxMessages: 500,
  maxDelayMs: 5,
  sessionExpirySeconds: 7 * 24 * 3600,
  reconnect: { initialMs: 500, maxMs: 30_000 },
  disconnectedAlertAfterMs: 60_000,
  maxInFlight: 10_000,
  stopTimeoutMs: 10_000,
  /** Between attempts at a batch the sink refused (a locked or full disk usually clears up). */
  sinkRetry: { initialMs: 100, maxMs: 5_000 },
} as const;

/** MQTT 5 Receive Maximum is a two-byte integer. */
const RECEIVE_MAXIMUM_LIMIT = 65_535;

export interface ResolvedIngestOptions {
  url: string;
  username: string | undefined;
  password: string | undefined;
  clientId: string;
  subscriptions: string[];
  sink: BatchSink;
  maxMessages: number;
  maxDelayMs: number;
  sessionExpirySeconds: number;
  reconnect: { initialMs: number; maxMs: number };
  disconnectedAlertAfterMs: number;
  maxInFlight: number;
  receiveMaximum: number;
  stopTimeoutMs: number;
  sinkRetry: { initialMs: number; maxMs: number };
  logger: IngestLogger | undefined;
}

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1) {
    throw new StewardError(
      'E_CONFIG',
      `mqtt ingest: ${name} must be a positive integer (got ${String(value)})`,
    );
  }
  return v;
}

export function resolveOptions(o: IngestClientOptions): ResolvedIngestOptions {
  if (!o.clientId) {
    throw new StewardError('E_CONFIG', 'mqtt ingest: clientId is required', {
      hint: 'a fixed client id is what lets the broker keep the session and queue messages while Steward is down',
    });
  }
  if (o.subscriptions.length === 0)
    throw new StewardError('E_CONFIG', 'mqtt ingest: at least one subscription is required');
  try {
    new URL(o.url);
  } catch {
    throw new StewardError('E_CONFIG', 'mqtt ingest: url is not a URL', {
      hint: 'e.g. mqtt://127.0.0.1:1883',
    });
  }
  const maxInFlight = positiveInt('maxInFlight', o.maxInFlight, defaults.maxInFlight);
  const maxMessages = positiveInt('batch.maxMessages', o.batch?.maxMessages, defaults.maxMessages);
  const initialMs = positiveInt('reconnect.initialMs', o.reconnect?.initialMs, defaults.reconnect.initialMs);
  const maxMs = positiveInt(
    'reconnect.maxMs',
    o.reconnect?.maxMs,
    Math.max(initialMs, defaults.reconnect.maxMs),
  );
  return {
    url: o.url,
    username: o.username,
    password: o.password,
    clientId: o.clientId,
    subscriptions: [...o.subscriptions],
    sink: o.sink,
    // A batch larger than what may be in flight would only ever be flushed by its timer.
    maxMessages: Math.min(maxMessages, maxInFlight),
    maxDelayMs: positiveInt('batch.maxDelayMs', o.batch?.maxDelayMs, defaults.maxDelayMs),
    sessionExpirySeconds: positiveInt(
      'sessionExpirySeconds',
      o.sessionExpirySeconds,
      defaults.sessionExpirySeconds,
    ),
    reconnect: { initialMs, maxMs: Math.max(initialMs, maxMs) },
    disconnectedAlertAfterMs: positiveInt(
      'disconnectedAlertAfterMs',
      o.disconnectedAlertAfterMs,
      defaults.disconnectedAlertAfterMs,
    ),
    maxInFlight,
    receiveMaximum: Math.min(maxInFlight, RECEIVE_MAXIMUM_LIMIT),
    stopTimeoutMs: positiveInt('stopTimeoutMs', o.stopTimeoutMs, defaults.stopTimeoutMs),
    sinkRetry: { ...defaults.sinkRetry },
    logger: o.logger,
  };
}
