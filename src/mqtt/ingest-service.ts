import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ResolvedConfig } from '../config/resolve.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { Store } from '../store/index.js';
import { type IncomingMessage, type IngestClient, startIngestClient } from './client/index.js';
import './events.js';
import { compileRules, type Sample, SequenceTracker } from './ingest/index.js';

export interface MqttIngestDeps {
  config: ResolvedConfig;
  store: Store;
  events: EventBus;
  logger: Logger;
  registry: Registry;
}

export interface MqttIngest {
  readonly client: IngestClient;
  stop(): Promise<void>;
}

type Outcome = 'stored' | 'duplicate' | 'quarantined';

/**
 * Telemetry from the broker into the metrics store. A batch of messages is routed, and its
 * samples, its quarantined messages and the devices' sequence state are committed in one
 * transaction; only then does the client acknowledge the batch to the broker, so a crash
 * loses nothing that was acknowledged. A payload that does not parse is quarantined and
 * acknowledged: it never stalls the stream.
 */
export async function startMqttIngest(deps: MqttIngestDeps): Promise<MqttIngest | null> {
  const { config, store, logger } = deps;
  const broker = config.mqtt.broker;
  if (!broker || config.mqtt.ingest.length === 0) return null;
  const router = compileRules(config.mqtt.ingest);
  const tracker = new SequenceTracker();
  tracker.load(store.mqttSequences.all());

  const messages = new Counter({
    name: 'steward_mqtt_messages_total',
    help: 'MQTT messages ingested, by outcome (stored, duplicate, quarantined).',
    labelNames: ['outcome'],
    registers: [deps.registry],
  });
  for (const outcome of ['stored', 'duplicate', 'quarantined']) messages.inc({ outcome }, 0);
  const connected = new Gauge({
    name: 'steward_mqtt_connected',
    help: '1 while the ingest client is connected to the broker.',
    registers: [deps.registry],
  });
  const lag = new Histogram({
    name: 'steward_mqtt_ingest_lag_seconds',
    help: 'From a message reaching Steward to its batch being committed.',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [deps.registry],
  });

  const commit = (batch: IncomingMessage[]): void => {
    const samples: Sample[] = [];
    const quarantined: { receivedAt: Date; topic: string; reason: string; payload: Buffer }[] = [];
    const counts: Record<Outcome, number> = { stored: 0, duplicate: 0, quarantined: 0 };
    for (const m of batch) {
      const routed = router.route(m.topic, m.payload, m.receivedAt);
      if (routed.kind === 'samples') {
        if (routed.sequence !== null && tracker.seen(routed.device, routed.sequence)) {
          counts.duplicate++;
          continue;
        }
        for (const s of routed.samples) samples.push(s);
        counts.stored++;
      } else {
        const reason = routed.kind === 'unmatched' ? 'no ingest rule matches the topic' : routed.reason;
        quarantined.push({ receivedAt: m.receivedAt, topic: m.topic, reason, payload: m.payload });
        counts.quarantined++;
      }
    }
    try {
      store.db.transaction(() => {
        if (samples.length) store.metrics.write(samples);
        if (quarantined.length) store.mqttQuarantine.add(quarantined);
        const states = tracker.dirty();
        if (states.length) store.mqttSequences.save(states);
      })();
    } catch (err) {
      // Nothing was committed: the tracker must forget what it saw, so the retry is not taken for duplicates.
      tracker.load(store.mqttSequences.all());
      throw err;
    }
    const now = Date.now();
    for (const m of batch) lag.observe((now - m.receivedAt.getTime()) / 1000);
    for (const [outcome, n] of Object.entries(counts)) if (n) messages.inc({ outcome }, n);
    if (samples.length) deps.events.publish('metrics.ingested', { samples });
  };

  const client = await startIngestClient({
    url: broker.url,
    ...(broker.username ? { username: broker.username } : {}),
    ...(broker.password ? { password: broker.password } : {}),
    clientId: broker.client_id,
    subscriptions: [...router.subscriptions],
    sink: commit,
    sessionExpirySeconds: Math.round(broker.session_expiry / 1000),
    disconnectedAlertAfterMs: broker.disconnected_alert_after,
    logger: logger.child({ component: 'mqtt' }),
  });
  client.on('connected', (info) => {
    connected.set(1);
    deps.events.publish('mqtt.connected', { url: broker.url, sessionPresent: info.sessionPresent });
  });
  client.on('disconnected', () => connected.set(0));
  client.on('disconnected-too-long', (info) =>
    deps.events.publish('mqtt.disconnected', { url: broker.url, since: info.since, forMs: info.forMs }),
  );
  connected.set(client.stats().connected ? 1 : 0);
  return { client, stop: () => client.stop() };
}
