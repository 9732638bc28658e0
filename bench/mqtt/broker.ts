/** The benchmark's Mosquitto: loopback, anonymous, no limits that would drop or throttle a stream. */
import fs from 'node:fs';
import path from 'node:path';
import { listening } from '../../test/support/mosquitto.js';
import { type Child, freePort, sleep, startChild } from '../checks/proc.js';

export const MOSQUITTO = '/usr/sbin/mosquitto';
export const MOSQUITTO_SUB = '/usr/bin/mosquitto_sub';

/**
 * The settings that matter, and why (Mosquitto 2.0.11; the README repeats them):
 *  - max_inflight_messages 0: no limit on unacked QoS 1 messages per client. The default, 20,
 *    holds a 3.1.1 subscriber (mosquitto_sub) to 20 per round trip, while Steward (MQTT 5)
 *    advertises its own Receive Maximum (10,000) and is not bound by it; it is also the
 *    broker's inbound quota, the likely cause of mosquitto_pub's "out of memory" at QoS 1.
 *  - max_queued_messages 0: no limit on the per-client queue. The default, 1,000, makes the
 *    broker drop QoS 0 messages (and refuse QoS 1 ones) for a subscriber that falls behind.
 *  - persistence false: nothing written to disk by the broker; sessions live in memory.
 *  - log_type without debug: no log line per message (subscribe lines are how readiness is seen).
 */
export const BROKER_SETTINGS = [
  'allow_anonymous true',
  'persistence false',
  'max_inflight_messages 0',
  'max_queued_messages 0',
  'max_queued_bytes 0',
];

export interface Broker {
  child: Child;
  port: number;
  url: string;
  logFile: string;
  configText: string;
  version: string;
  /** Resolves once the broker logged a subscription of `clientId` to `filter`. */
  waitSubscribed(clientId: string, filter: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startBroker(dir: string): Promise<Broker> {
  for (const bin of [MOSQUITTO, MOSQUITTO_SUB]) {
    if (!fs.existsSync(bin))
      throw new Error(`${bin} is missing (Debian packages mosquitto, mosquitto-clients)`);
  }
  fs.mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const logFile = path.join(dir, 'mosquitto.log');
  const configFile = path.join(dir, 'mosquitto.conf');
  const configText = [
    // As root Mosquitto would switch to the mosquitto user, which cannot write the log here.
    ...(process.getuid?.() === 0 ? ['user root'] : []),
    `listener ${port} 127.0.0.1`,
    ...BROKER_SETTINGS,
    `log_dest file ${logFile}`,
    ...['error', 'warning', 'notice', 'information', 'subscribe'].map((t) => `log_type ${t}`),
    '',
  ].join('\n');
  fs.writeFileSync(configFile, configText);
  const child = startChild([MOSQUITTO, '-c', configFile], { log: path.join(dir, 'mosquitto.out') });
  const log = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '');
  const deadline = Date.now() + 10_000;
  while (!(await listening(port))) {
    if (child.proc.exitCode !== null || Date.now() > deadline)
      throw new Error(`mosquitto did not start:\n${log().slice(-2000)}`);
    await sleep(50);
  }
  const version = /mosquitto version (\S+)/.exec(log())?.[1] ?? 'unknown';
  return {
    child,
    port,
    url: `mqtt://127.0.0.1:${port}`,
    logFile,
    configText,
    version,
    async waitSubscribed(clientId, filter, timeoutMs = 30_000) {
      // Mosquitto logs "<time>: <client id> <qos> <filter>" for each subscription (log_type subscribe).
      const line = new RegExp(`^\\d+: ${clientId} \\d ${filter.replace(/[+#/]/g, '\\$&')}$`, 'm');
      const until = Date.now() + timeoutMs;
      while (!line.test(log())) {
        if (Date.now() > until)
          throw new Error(`${clientId} did not subscribe to ${filter} in ${timeoutMs} ms`);
        await sleep(20);
      }
    },
    stop: () => child.stop(5000),
  };
}
