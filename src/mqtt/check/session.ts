import mqtt, { type MqttClient } from 'mqtt';

/**
 * Short-lived MQTT 5 connections for the ACL probes: clean, no reconnects, no session kept.
 * Every connection is tracked so the caller can close whatever is left, even after an error.
 */

export interface ConnectSpec {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  timeoutMs: number;
}

/** CONNACK codes for bad credentials or a client the broker will not have (3.1.1: 4, 5; MQTT 5: 134, 135). */
export function isAuthRefusal(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 4 || code === 5 || code === 134 || code === 135;
}

export { isNotAuthorized } from '../connect.js';

export function describeError(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  return typeof code === 'number' ? `${message} (code ${code})` : message;
}

export class Sessions {
  private readonly open = new Set<MqttClient>();

  /** Resolves once CONNACK accepts; rejects with the broker's reason (err.code) or a network error. */
  connect(spec: ConnectSpec): Promise<MqttClient> {
    return new Promise((resolve, reject) => {
      const client = mqtt.connect(spec.url, {
        protocolVersion: 5,
        clean: true,
        clientId: spec.clientId,
        username: spec.username,
        password: spec.password,
        reconnectPeriod: 0,
        connectTimeout: spec.timeoutMs,
        properties: { sessionExpiryInterval: 0 },
      });
      this.open.add(client);
      let settled = false;
      // MQTT.js's own connectTimeout closes the socket; this only guards against a stuck close.
      const guard = setTimeout(() => fail(new Error('no CONNACK in time')), spec.timeoutMs + 1000);
      const fail = (err: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(guard);
        this.open.delete(client);
        client.end(true);
        reject(err);
      };
      client.once('connect', () => {
        if (settled) return;
        settled = true;
        clearTimeout(guard);
        resolve(client);
      });
      // Also keeps a late 'error' from becoming an uncaught exception.
      client.on('error', fail);
      client.once('close', () => fail(new Error('connection closed before CONNACK')));
    });
  }

  /** DISCONNECT, or a forced close if something is still in flight or the socket hangs. */
  async close(client: MqttClient): Promise<void> {
    if (!this.open.delete(client)) return;
    const pending = Object.keys(client.outgoing ?? {}).length > 0;
    const stream = client.stream as { destroy?: () => void } | undefined;
    const guard = setTimeout(() => stream?.destroy?.(), 2000);
    try {
      await Promise.race([
        client.endAsync(pending || !client.connected),
        new Promise((r) => setTimeout(r, 4000).unref()),
      ]);
    } catch {
      // Closing is best effort: the socket is gone either way.
    } finally {
      clearTimeout(guard);
    }
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.open].map((c) => this.close(c)));
  }

  get size(): number {
    return this.open.size;
  }
}
