import { randomBytes } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import { errorMessage, StewardError } from '../core/errors.js';

export interface BrokerLogin {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
}

/**
 * A short-lived MQTT 5 connection for a command (retained scan and clear, self-test): a clean
 * session under a unique client id, so it never takes over the ingest client's session, and no
 * reconnects. A refused login becomes a clear error naming the user, never the password.
 */
export async function connectOnce(
  login: BrokerLogin,
  purpose: string,
  opts: { connectTimeoutMs?: number } = {},
): Promise<MqttClient> {
  const clientId = `steward-${purpose}-${randomBytes(4).toString('hex')}`;
  try {
    return await mqtt.connectAsync(login.url, {
      clientId,
      username: login.username,
      password: login.password,
      protocolVersion: 5,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: opts.connectTimeoutMs ?? 10_000,
    });
  } catch (err) {
    const who = login.username ? `as ${login.username}` : 'anonymously';
    throw new StewardError('E_EXTERNAL', `cannot connect to ${login.url} ${who}: ${errorMessage(err)}`, {
      hint: 'is the broker running, and mqtt.broker’s username and password right (steward mqtt apply)?',
      cause: err,
    });
  }
}

/** MQTT 5 reason code 135 in a PUBACK: the broker's ACL refused the publish. */
export function isNotAuthorized(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 135;
}
