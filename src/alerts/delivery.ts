import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { DeliveryRecord, Store } from '../store/index.js';
import { type ChannelConfig, channelDriverFor } from './channels/index.js';
import { ChannelError, type Notification } from './channels/types.js';

/** A delivery is tried at most this often before it is given up (about an hour of backoff). */
export const MAX_ATTEMPTS = 10;
const BASE_DELAY_MS = 1000;
const MAX_DELAY_MS = 10 * 60_000;
export const DELIVERY_TIMEOUT_MS = 10_000;
/** Deliveries queued by another process (the CLI) are picked up this often. */
const SYNC_MS = 2000;

/** Exponential backoff with full jitter in its upper half: 1 s, 2 s, 4 s … capped at 10 min. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling * (0.5 + random() * 0.5));
}

export interface DeliveryOutcome {
  channel: string;
  delivery: DeliveryRecord;
  ok: boolean;
  gaveUp: boolean;
  error?: string;
}

export interface DeliveryWorkerDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  channels(): Readonly<Record<string, ChannelConfig>>;
  onOutcome?(outcome: DeliveryOutcome): void;
}

/**
 * Sends queued deliveries: each at most once successfully, retried with backoff while it
 * fails retryably, given up after MAX_ATTEMPTS or a permanent error. The queue is the
 * `deliveries` table, so a restart resumes where it stopped.
 */
export class DeliveryWorker {
  readonly #deps: DeliveryWorkerDeps;
  readonly #inFlight = new Set<string>();
  #timer: NodeJS.Timeout | null = null;
  #sync: NodeJS.Timeout | null = null;
  #stopped = false;
  readonly #stop = new AbortController();

  constructor(deps: DeliveryWorkerDeps) {
    this.#deps = deps;
  }

  start(): void {
    this.#stopped = false;
    this.kick();
    this.#sync = setInterval(() => this.kick(), SYNC_MS);
    this.#sync.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#sync) clearInterval(this.#sync);
    this.#stop.abort();
  }

  /** Queues one notification to channels (with `alsoDo` in the same transaction) and sends at once. */
  enqueue(notification: Notification, channels: readonly string[], alsoDo?: () => void): DeliveryRecord[] {
    const records = this.#deps.store.deliveries.enqueue(
      {
        notificationId: notification.id,
        kind: notification.kind,
        alertIds: notification.alerts.map((a) => a.id),
        payload: notification,
        channels,
      },
      alsoDo,
    );
    this.kick();
    return records;
  }

  /** Sends everything due now and sets a timer for the next retry. */
  kick(): void {
    if (this.#stopped) return;
    const now = this.#deps.clock.now().getTime();
    let next: number | null = null;
    for (const delivery of this.#deps.store.deliveries.pending()) {
      if (this.#inFlight.has(delivery.id)) continue;
      const due = delivery.nextAttemptAt ? Date.parse(delivery.nextAttemptAt) : now;
      if (due <= now) void this.#send(delivery);
      else if (next === null || due < next) next = due;
    }
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (next !== null) {
      this.#timer = setTimeout(() => this.kick(), Math.max(0, next - now));
      this.#timer.unref();
    }
  }

  async #send(delivery: DeliveryRecord): Promise<void> {
    this.#inFlight.add(delivery.id);
    const { store, logger } = this.#deps;
    const config = this.#deps.channels()[delivery.channel];
    try {
      if (!config) throw new ChannelError(`channel ${delivery.channel} is no longer configured`, false);
      const driver = channelDriverFor(config);
      const signal = AbortSignal.any([AbortSignal.timeout(DELIVERY_TIMEOUT_MS), this.#stop.signal]);
      const receipt = await driver.send(config, delivery.payload as Notification, { signal, logger });
      store.deliveries.markSent(delivery.id);
      logger.info(
        { channel: delivery.channel, kind: delivery.kind, detail: receipt.detail },
        'notification delivered',
      );
      this.#deps.onOutcome?.({ channel: delivery.channel, delivery, ok: true, gaveUp: false });
    } catch (err) {
      if (this.#stop.signal.aborted) return; // stopping: the row stays pending for the next start
      const retryable = err instanceof ChannelError ? err.retryable : true;
      const message = err instanceof ChannelError ? err.message : errorMessage(err);
      const attempt = delivery.attempts + 1;
      const gaveUp = !retryable || attempt >= MAX_ATTEMPTS;
      const nextAt = gaveUp
        ? null
        : new Date(this.#deps.clock.now().getTime() + backoffMs(attempt)).toISOString();
      store.deliveries.markFailed(delivery.id, message, nextAt);
      logger.warn(
        { channel: delivery.channel, kind: delivery.kind, attempt, error: message, next_attempt_at: nextAt },
        'notification failed',
      );
      this.#deps.onOutcome?.({ channel: delivery.channel, delivery, ok: false, gaveUp, error: message });
    } finally {
      this.#inFlight.delete(delivery.id);
      this.kick();
    }
  }
}
