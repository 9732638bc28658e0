import { errorMessage } from '../../core/errors.js';
import { backoffDelay } from './backoff.js';
import type { BatchSink, IncomingMessage, IngestLogger } from './types.js';

export interface BatcherOptions<T> {
  sink: BatchSink;
  maxMessages: number;
  maxDelayMs: number;
  /** Backoff between attempts at a batch the sink refused. */
  retry: { initialMs: number; maxMs: number };
  logger: IngestLogger;
  /** Acknowledges the messages of a committed batch (their tokens, in receive order); returns how many acks were sent. */
  ack(tokens: T[]): number;
  onCommitted(info: { size: number; attempts: number; acked: number; commitMs: number }): void;
  onSinkFailure(): void;
}

interface Item<T> {
  msg: IncomingMessage;
  token: T;
}

/**
 * Collects messages into batches, hands each batch to the sink, and acks its messages only
 * after the sink resolved. Batches are committed one at a time, in receive order, so acks go
 * out in the order the messages came (MQTT requires PUBACKs in that order). A batch the sink
 * refused is offered again, unchanged, after a backoff: its messages stay unacked meanwhile, so
 * if the process dies the broker still holds them and redelivers them.
 */
export class Batcher<T> {
  private pending: Array<Item<T>> = [];
  private committing = 0;
  private timer: NodeJS.Timeout | null = null;
  private draining: Promise<void> | null = null;
  private abandoned = false;
  private cutWaitShort: (() => void) | null = null;
  private drainedWaiters: Array<() => void> = [];

  constructor(private readonly opts: BatcherOptions<T>) {}

  /** Received and not yet committed. */
  get inFlight(): number {
    return this.pending.length + this.committing;
  }

  push(msg: IncomingMessage, token: T): void {
    if (this.abandoned) return;
    this.pending.push({ msg, token });
    if (this.pending.length >= this.opts.maxMessages) this.kick();
    else if (this.timer === null && this.draining === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.kick();
      }, this.opts.maxDelayMs);
    }
  }

  /** Resolves when nothing is in flight any more (immediately if nothing is). */
  whenDrained(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainedWaiters.push(resolve));
  }

  /**
   * Commits what is pending now, retrying a failing sink until `timeoutMs` has passed; then
   * gives up on the rest without acking it (the broker redelivers it on the next start).
   * Returns how many messages were given up.
   */
  async finish(timeoutMs: number): Promise<number> {
    this.kick();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), timeoutMs);
    });
    const outcome = await Promise.race([this.whenDrained().then(() => 'drained' as const), expired]);
    clearTimeout(timer);
    if (outcome === 'drained') return 0;
    const dropped = this.inFlight;
    this.abandon();
    return dropped;
  }

  /** Drops everything unacked and ignores a commit still under way (it will not be acked). */
  abandon(): void {
    this.abandoned = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = [];
    this.committing = 0;
    this.cutWaitShort?.();
    this.notifyDrained();
  }

  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.draining || this.abandoned) return;
    this.draining = this.drain().finally(() => {
      this.draining = null;
      this.notifyDrained();
    });
  }

  private async drain(): Promise<void> {
    // Messages that arrive while a batch commits are taken right after it, without a new delay:
    // under load a batch is whatever came during the previous commit (up to maxMessages).
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.opts.maxMessages);
      this.committing = batch.length;
      const ok = await this.commit(batch);
      if (!ok) return;
      this.notifyDrained();
      // Lets the PUBACKs just queued reach the socket (MQTT.js writes them on the next tick,
      // which a chain of awaits would hold back) before the next commit: a crash then finds
      // fewer committed-but-unacked messages for the broker to redeliver.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Commits one batch, retrying until the sink accepts it; false when abandoned meanwhile. */
  private async commit(batch: Array<Item<T>>): Promise<boolean> {
    const messages = batch.map((i) => i.msg);
    for (let attempt = 1; ; attempt++) {
      const started = performance.now();
      try {
        await this.opts.sink(messages);
      } catch (err) {
        if (this.abandoned) return false;
        this.opts.onSinkFailure();
        const delayMs = backoffDelay(attempt, this.opts.retry.initialMs, this.opts.retry.maxMs);
        this.opts.logger.warn(
          { attempt, size: batch.length, retryInMs: delayMs, err: errorMessage(err) },
          'mqtt ingest: sink refused a batch; its messages stay unacked and will be offered again',
        );
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delayMs);
          this.cutWaitShort = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.cutWaitShort = null;
        if (this.abandoned) return false;
        continue;
      }
      if (this.abandoned) return false;
      const commitMs = performance.now() - started;
      // No longer in flight before anyone is told: onCommitted may resume reading.
      this.committing = 0;
      const acked = this.opts.ack(batch.map((i) => i.token));
      this.opts.onCommitted({ size: batch.length, attempts: attempt, acked, commitMs });
      return true;
    }
  }

  private notifyDrained(): void {
    if (this.inFlight > 0) return;
    const waiters = this.drainedWaiters;
    this.drainedWaiters = [];
    for (const w of waiters) w();
  }
}
