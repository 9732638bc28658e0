import { EventEmitter } from 'node:events';

/**
 * The in-process event bus. Capabilities publish what happened; others (alerting, the
 * metrics exporter) subscribe. Each capability adds its events to `StewardEvents` by
 * declaration merging from its own folder, so the bus stays typed without a central list.
 */
// biome-ignore lint/suspicious/noEmptyInterface: extended by declaration merging in each capability
export interface StewardEvents {}

export interface SpineEvents {
  'job.started': { job: string; runId: string; trigger: string };
  'job.finished': {
    job: string;
    runId: string;
    outcome: 'ok' | 'failed' | 'aborted';
    durationMs: number;
    error?: string;
  };
  'config.reloaded': { changed: boolean };
  'auth.failed': { ip: string; reason: string };
}

export type EventMap = SpineEvents & StewardEvents;
export type EventName = keyof EventMap;

export class EventBus {
  readonly #emitter = new EventEmitter();
  #onError: (err: unknown, event: string) => void;

  constructor(onError: (err: unknown, event: string) => void = () => {}) {
    this.#emitter.setMaxListeners(0);
    this.#onError = onError;
  }

  publish<E extends EventName>(event: E, payload: EventMap[E]): void {
    for (const listener of this.#emitter.listeners(event)) {
      // A failing subscriber must not stop the publisher or the other subscribers.
      try {
        const result = (listener as (p: EventMap[E]) => unknown)(payload);
        if (result instanceof Promise) result.catch((err) => this.#onError(err, event));
      } catch (err) {
        this.#onError(err, event);
      }
    }
  }

  subscribe<E extends EventName>(
    event: E,
    listener: (payload: EventMap[E]) => void | Promise<void>,
  ): () => void {
    this.#emitter.on(event, listener);
    return () => this.#emitter.off(event, listener);
  }
}
