import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { errorMessage, StewardError } from '../../core/errors.js';
import type { IngestLogger } from './types.js';

/**
 * The MQTT.js glue that lets PUBACKs wait for the commit without stalling the connection.
 *
 * Why not `customHandleAcks`: MQTT.js handles incoming packets strictly one at a time and only
 * takes the next PUBLISH after the previous one's handler finished, i.e. after its PUBACK was
 * written. Holding `customHandleAcks`'s `done` until the commit therefore means one message per
 * commit (measured: 2 callbacks in 1.5 s when each commit takes 1 s). It also only applies to
 * MQTT 5 clients. Instead `handleMessage` (MQTT.js's documented per-message hook) takes the
 * message and calls its callback with an error: for QoS 1, MQTT.js then moves on to the next
 * packet *without* writing the PUBACK (build/lib/handlers/publish.js: `if (err) return done(err)`).
 * The PUBACK is written here once the batch is committed, on the same connection only: packet
 * ids are per connection, and the broker redelivers what a lost connection left unacked.
 */

/** Handed to MQTT.js's handleMessage callback so it skips its own PUBACK (any error does). */
export const ACK_DEFERRED = new Error('puback deferred until the batch is committed');

export type AckToken =
  | { kind: 'none' }
  | { kind: 'puback'; client: MqttClient; stream: object; messageId: number }
  /** QoS 2 (never expected: subscriptions are QoS 1): MQTT.js sends PUBCOMP once released. */
  | { kind: 'release'; client: MqttClient; stream: object; release: () => void };

export interface ConnectionOptions {
  url: string;
  username?: string;
  password?: string;
  clientId: string;
  protocolVersion: 4 | 5;
  sessionExpirySeconds: number;
  /** MQTT 5 Receive Maximum: how many unacked QoS 1 messages the broker may have out to us. */
  receiveMaximum: number;
  /** Called for every PUBLISH; must call `release` (now or later) for the next packet to be read. */
  onPublish(client: MqttClient, packet: IPublishPacket, release: (err?: Error) => void): void;
}

export function createConnection(o: ConnectionOptions): MqttClient {
  const options: IClientOptions = {
    clientId: o.clientId,
    username: o.username,
    password: o.password,
    protocolVersion: o.protocolVersion,
    // The broker keeps subscriptions and queues QoS 1 messages while we are away.
    clean: false,
    keepalive: 30,
    connectTimeout: 15_000,
    // Reconnects are driven by the ingest client (exponential backoff); subscriptions too.
    reconnectPeriod: 0,
    resubscribe: false,
    manualConnect: true,
    ...(o.protocolVersion === 5
      ? { properties: { sessionExpiryInterval: o.sessionExpirySeconds, receiveMaximum: o.receiveMaximum } }
      : {}),
  };
  const client = mqtt.connect(o.url, options);
  if (typeof (client as unknown as Partial<PacketWriter>)._writePacket !== 'function') {
    // Fail at start, not at the first commit, if an MQTT.js upgrade renamed the method.
    throw new StewardError('E_INTERNAL', 'mqtt ingest: this MQTT.js version has no _writePacket', {
      hint: 'the ingest client was written against mqtt 5.16; check src/mqtt/client/connection.ts',
    });
  }
  client.handleMessage = (packet, callback) => o.onPublish(client, packet, callback);
  return client;
}

export function isLive(client: MqttClient, stream: object): boolean {
  const s = client.stream as (typeof client.stream & { destroyed?: boolean }) | undefined;
  return client.connected && s === stream && s.destroyed !== true;
}

/**
 * Sends DISCONNECT after whatever was written (the last PUBACKs) and waits for the socket to
 * close; the session stays on the broker (its expiry was set at CONNECT). A socket that does
 * not close within `timeoutMs` is destroyed: unacked messages are redelivered, nothing is lost.
 */
export async function closeConnection(client: MqttClient, timeoutMs: number): Promise<void> {
  const graceful = client.connected && isLive(client, client.stream);
  const stream = client.stream as (typeof client.stream & { destroy?: () => void }) | undefined;
  const guard = setTimeout(() => stream?.destroy?.(), timeoutMs);
  try {
    await client.endAsync(!graceful);
  } finally {
    clearTimeout(guard);
  }
}

/** MQTT.js has no public way to write a PUBACK later; `_writePacket` is what its own handlers use. */
interface PacketWriter {
  _writePacket(packet: { cmd: 'puback'; messageId: number; reasonCode: number }): void;
}

/**
 * Acks a committed batch, in order. Tokens from a connection that is gone are skipped: the
 * broker redelivers those messages (as duplicates the sink must ignore). Returns acks sent.
 */
export function sendAcks(tokens: AckToken[]): number {
  // mqtt-packet corks the socket per packet until the next tick, so these leave in one write.
  let sent = 0;
  for (const t of tokens) {
    if (t.kind === 'none' || !isLive(t.client, t.stream)) continue;
    if (t.kind === 'release') {
      t.release();
      sent++;
      continue;
    }
    (t.client as unknown as PacketWriter)._writePacket({
      cmd: 'puback',
      messageId: t.messageId,
      reasonCode: 0,
    });
    sent++;
  }
  return sent;
}

/** Subscribes every filter at QoS 1; MQTT 5 `rh: 1` sends retained messages only for a new subscription. */
export function subscribeAll(
  client: MqttClient,
  filters: string[],
  log: IngestLogger,
  onDone: () => void,
): void {
  const map = Object.fromEntries(filters.map((t) => [t, { qos: 1 as const, rh: 1 }]));
  client.subscribe(map, (err, granted) => {
    if (err) {
      log.error({ err: errorMessage(err) }, 'mqtt ingest: subscribe failed');
      return;
    }
    onDone();
    for (const g of granted ?? []) {
      if (g.qos > 2)
        log.error({ topic: g.topic, code: g.qos }, 'mqtt ingest: the broker refused a subscription (ACL?)');
    }
  });
}

/** CONNACK codes a broker uses to refuse the protocol version (3.1.1: 1, MQTT 5: 132). */
export function isProtocolRefusal(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 1 || code === 132;
}

/** CONNACK codes for bad credentials or a denied client (3.1.1: 4, 5; MQTT 5: 134, 135, 133). */
export function isAuthRefusal(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 4 || code === 5 || code === 133 || code === 134 || code === 135;
}

/** The URL without credentials, for logs. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '(invalid url)';
  }
}
