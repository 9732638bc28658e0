import { Gauge, type Registry } from 'prom-client';
import type { ResolvedConfig } from '../../config/resolve.js';
import type { Clock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Store } from '../../store/index.js';
import { takeInventory } from './inventory.js';

export interface RetainedScans {
  /** One scan now (also what the timer runs); resolves when it is recorded. */
  scanNow(): Promise<void>;
  /** Stops the timer and waits for a scan in progress (it must not outlive the store). */
  stop(): Promise<void>;
}

/**
 * With `mqtt.retained` configured, the daemon reads the broker's retained messages every
 * `scan_every`: each sighting is recorded, so `retained list` knows how old a message is, and
 * /metrics counts them and the stale ones. It never clears anything by itself.
 */
export function startRetainedScans(deps: {
  config: ResolvedConfig;
  store: Store;
  clock: Clock;
  logger: Logger;
  registry: Registry;
}): RetainedScans | null {
  const { broker, retained } = deps.config.mqtt;
  if (!broker || !retained) return null;
  const logger = deps.logger.child({ component: 'mqtt-retained' });
  const total = new Gauge({
    name: 'steward_mqtt_retained_messages',
    help: 'Retained messages on the broker at the last scan.',
    registers: [deps.registry],
  });
  const stale = new Gauge({
    name: 'steward_mqtt_retained_stale',
    help: 'Retained messages known to be older than mqtt.retained.max_age at the last scan.',
    registers: [deps.registry],
  });
  let running: Promise<void> | null = null;
  const scanNow = (): Promise<void> => {
    running ??= takeInventory({
      login: { url: broker.url, username: broker.username, password: broker.password },
      sightings: deps.store.mqttRetained,
      clock: deps.clock,
      protect: retained.protect,
      maxAgeMs: retained.max_age,
    })
      .then((inv) => {
        total.set(inv.entries.length);
        stale.set(inv.entries.filter((e) => e.stale).length);
        logger.debug({ retained: inv.entries.length, truncated: inv.truncated }, 'retained messages scanned');
      })
      .catch((err) => logger.warn({ err: errorMessage(err) }, 'retained scan failed'))
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = setInterval(() => void scanNow(), retained.scan_every);
  timer.unref();
  void scanNow();
  return {
    scanNow,
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
