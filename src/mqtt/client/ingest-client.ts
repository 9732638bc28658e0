import { EventEmitter } from 'node:events';
import type { IPublishPacket, MqttClient } from 'mqtt';
import { errorMessage } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import { backoffDelay } from './backoff.js';
import { Batcher } from './batcher.js';
import {
  ACK_DEFERRED,
  type AckToken,
  closeConnection,
  createConnection,
  isAuthRefusal,
  isProtocolRefusal,
  safeUrl,
  sendAcks,
  subscribeAll,
} from './connection.js';
import { resolveOptions } from './options.js';
import type {
  IngestClient,
  IngestClientOptions,
  IngestEventName,
  IngestEvents,
  IngestStats,
} from './types.js';

interface Held {
  client: MqttClient;
  stream: object;
  packet: IPublishPacket;
  release: (err?: Error) => void;
}

/**
 * Subscribes with a persistent session and hands every message to the sink in batches; a QoS 1
 * message is acked to the broker only after the batch holding it was committed. Resolves once
 * the first connection attempt has finished, whether it succeeded or not (it keeps retrying).
 */
export async function startIngestClient(options: IngestClientOptions): Promise<IngestClient> {
  const o = resolveOptions(options);
  const log = o.logger ?? silentLogger();
  const events = new EventEmitter();
  const emit = <E extends IngestEventName>(event: E, info: IngestEvents[E]) => {
    // A listener's bug must not break the commit loop or the connection handling.
    try {
      events.emit(event, info);
    } catch (err) {
      log.error({ event, err: errorMessage(err) }, 'mqtt ingest: event listener threw');
    }
  };
  let settleFirstAttempt: () => void = () => {};
  const firstAttempt = new Promise<void>((resolve) => {
    settleFirstAttempt = resolve;
  });

  let received = 0;
  let committed = 0;
  let failedBatches = 0;
  // A number per message; the ISO string only when stats() is read (it was 6% of ingest CPU).
  let lastMessageMs: number | null = null;
  let disconnectedSince: Date | null = new Date();
  let connected = false;
  let connects = 0;
  let stopping = false;
  let protocolVersion: 4 | 5 = 5;
  let fallbackPending = false;
  let lastError = 'not connected yet';
  let lastLoggedError: string | null = null;
  let attempt = 0;
  let reconnectTimer: NodeJS.Timeout | null = null;
  let alertTimer: NodeJS.Timeout | null = null;
  let subscribedOnce = false;
  // A message read while maxInFlight were waiting: kept out of the batch until there is room.
  let held: Held | null = null;

  const batcher = new Batcher<AckToken>({
    sink: o.sink,
    maxMessages: o.maxMessages,
    maxDelayMs: o.maxDelayMs,
    retry: o.sinkRetry,
    logger: log,
    ack: sendAcks,
    onSinkFailure: () => {
      failedBatches++;
    },
    onCommitted: (info) => {
      committed += info.size;
      emit('batch', { ...info, committed });
      if (held && batcher.inFlight < o.maxInFlight) {
        const h = held;
        held = null;
        accept(h);
      }
    },
  });

  const accept = (h: Held) => {
    const { packet } = h;
    received++;
    const receivedAt = new Date();
    lastMessageMs = receivedAt.getTime();
    const msg = {
      topic: packet.topic,
      payload: Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
      qos: packet.qos,
      retain: packet.retain,
      dup: packet.dup,
      receivedAt,
    };
    if (packet.qos === 1 && packet.messageId !== undefined) {
      batcher.push(msg, { kind: 'puback', client: h.client, stream: h.stream, messageId: packet.messageId });
      h.release(ACK_DEFERRED);
    } else if (packet.qos === 2) {
      batcher.push(msg, { kind: 'release', client: h.client, stream: h.stream, release: () => h.release() });
    } else {
      batcher.push(msg, { kind: 'none' });
      h.release();
    }
  };

  const onPublish = (client: MqttClient, packet: IPublishPacket, release: (err?: Error) => void) => {
    // Once stopping, nothing new is taken: read and left unacked, the broker keeps it for the
    // next start (QoS 0 is lost, as QoS 0 is whenever a client goes away). Still reading lets
    // the socket close; a held callback would keep MQTT.js's end() waiting forever.
    if (stopping) {
      release(ACK_DEFERRED);
      return;
    }
    // Not releasing stops MQTT.js from reading further packets: TCP back-pressure then holds
    // the broker until a commit makes room.
    const h: Held = { client, stream: client.stream, packet, release };
    if (batcher.inFlight >= o.maxInFlight) held = h;
    else accept(h);
  };

  let client = newClient();

  function newClient(): MqttClient {
    const c = createConnection({
      url: o.url,
      username: o.username,
      password: o.password,
      clientId: o.clientId,
      protocolVersion,
      sessionExpirySeconds: o.sessionExpirySeconds,
      receiveMaximum: o.receiveMaximum,
      onPublish,
    });
    c.on('connect', (connack) => onConnect(c, connack.sessionPresent));
    c.on('error', (err) => onError(err));
    c.on('close', () => onClose(c));
    c.on('disconnect', (packet) => {
      // MQTT 5: the broker says why (142: another client connected with our clientId).
      lastError = `broker sent DISCONNECT (reason ${packet.reasonCode ?? 0})`;
      if (packet.reasonCode === 142) {
        log.error(
          { clientId: o.clientId },
          'mqtt ingest: another client took over our session (same clientId)',
        );
      }
    });
    return c;
  }

  function onConnect(c: MqttClient, sessionPresent: boolean) {
    connects++;
    connected = true;
    attempt = 0;
    lastLoggedError = null;
    disconnectedSince = null;
    if (alertTimer) clearTimeout(alertTimer);
    alertTimer = null;
    log.info(
      { url: safeUrl(o.url), protocolVersion, sessionPresent, clientId: o.clientId },
      'mqtt ingest: connected',
    );
    if (!sessionPresent && connects > 1) {
      log.warn(
        { clientId: o.clientId },
        'mqtt ingest: the broker had no session for us (expired, or the broker restarted without persistence): messages published meanwhile were not kept',
      );
    }
    emit('connected', { protocolVersion, sessionPresent, connects });
    settleFirstAttempt();
    // MQTT 5: re-subscribing is harmless (rh 1: retained messages only for a new subscription)
    // and picks up filters added to the config. 3.1.1 would resend retained messages each time.
    if (protocolVersion === 5 || !sessionPresent || !subscribedOnce) {
      subscribeAll(c, o.subscriptions, log, () => {
        subscribedOnce = true;
      });
    }
  }

  function onError(err: Error) {
    lastError = errorMessage(err);
    if (protocolVersion === 5 && isProtocolRefusal(err)) {
      log.warn(
        { url: safeUrl(o.url) },
        'mqtt ingest: broker refused MQTT 5; falling back to MQTT 3.1.1 (clean session off)',
      );
      fallbackPending = true;
    } else if (isAuthRefusal(err)) {
      log.error(
        { url: safeUrl(o.url), clientId: o.clientId, err: lastError },
        'mqtt ingest: broker refused our credentials',
      );
    } else if (lastError !== lastLoggedError) {
      // Once per distinct error per outage: a broker down for hours must not flood the log.
      lastLoggedError = lastError;
      log.warn({ url: safeUrl(o.url), err: lastError }, 'mqtt ingest: connection error');
    }
  }

  function onClose(c: MqttClient) {
    if (c !== client) return;
    if (held && held.client === c) held = null; // unacked: the broker redelivers it
    if (connected) {
      connected = false;
      disconnectedSince = new Date();
      log.warn({ reason: lastError }, 'mqtt ingest: disconnected');
      emit('disconnected', { reason: lastError, at: disconnectedSince.toISOString() });
    }
    lastError = 'connection closed';
    if (stopping) return;
    armAlert();
    if (fallbackPending) {
      fallbackPending = false;
      protocolVersion = 4;
      c.end(true);
      client = newClient();
      client.connect();
      return;
    }
    settleFirstAttempt();
    scheduleReconnect();
  }

  function armAlert() {
    if (alertTimer || disconnectedSince === null) return;
    const since = disconnectedSince;
    const remaining = Math.max(0, o.disconnectedAlertAfterMs - (Date.now() - since.getTime()));
    alertTimer = setTimeout(() => {
      // Stays set until the next connect, so the alert fires once per outage.
      if (connected || stopping) return;
      const forMs = Date.now() - since.getTime();
      log.error({ since: since.toISOString(), forMs }, 'mqtt ingest: disconnected for too long');
      emit('disconnected-too-long', { since: since.toISOString(), forMs });
    }, remaining);
  }

  function scheduleReconnect() {
    if (reconnectTimer) return;
    attempt++;
    const delay = backoffDelay(attempt, o.reconnect.initialMs, o.reconnect.maxMs);
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      if (!stopping) client.reconnect();
    }, delay);
  }

  let stopped: Promise<void> | null = null;
  const stop = () => {
    stopped ??= stopNow();
    return stopped;
  };

  async function stopNow(): Promise<void> {
    stopping = true;
    if (reconnectTimer) clearTimeout(reconnectTimer);
    if (alertTimer) clearTimeout(alertTimer);
    reconnectTimer = null;
    alertTimer = null;
    held?.release(ACK_DEFERRED);
    held = null;
    const dropped = await batcher.finish(o.stopTimeoutMs);
    if (dropped > 0) {
      log.warn(
        { dropped },
        'mqtt ingest: stopped with uncommitted messages; the broker redelivers them on the next start',
      );
    }
    await closeConnection(client, o.stopTimeoutMs);
    connected = false;
  }

  // The first attempt decides what startIngestClient reports; later ones run in the background
  // (a broker that is down at boot must not keep the daemon from starting).
  armAlert();
  client.connect();
  await firstAttempt;

  return {
    on<E extends IngestEventName>(event: E, fn: (info: IngestEvents[E]) => void) {
      events.on(event, fn);
    },
    stats(): IngestStats {
      return {
        connected,
        received,
        committed,
        failedBatches,
        inFlight: batcher.inFlight,
        lastMessageAt: lastMessageMs === null ? null : new Date(lastMessageMs).toISOString(),
        disconnectedSince: disconnectedSince?.toISOString() ?? null,
      };
    },
    stop,
  };
}
