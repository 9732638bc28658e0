import type { MqttClient } from 'mqtt';
import { StewardError } from '../../core/errors.js';
import { type BrokerLogin, connectOnce } from '../connect.js';

export interface RetainedMessage {
  topic: string;
  payload: Buffer;
}

export interface ScanOptions {
  /** Topic filter to read (default `#`, which per MQTT does not include `$SYS/…`). */
  filter?: string;
  /** The scan ends this long after the last retained message arrived (default 300 ms). */
  quietMs?: number;
  /** …or after this long in all (default 30 s). */
  maxMs?: number;
  /** …or after this many messages (default 100,000): a scan never holds a broker's worth in memory. */
  maxMessages?: number;
}

export interface ScanResult {
  messages: RetainedMessage[];
  /** True when maxMs or maxMessages ended the scan before the broker went quiet. */
  truncated: boolean;
}

/**
 * The broker's retained messages under a filter. On SUBSCRIBE the broker sends every retained
 * message that matches, flagged retain, at once; live traffic arrives without the flag and is
 * ignored. There is no end marker, so the scan ends when the retained ones stop coming.
 */
export async function scanRetained(login: BrokerLogin, opts: ScanOptions = {}): Promise<ScanResult> {
  const filter = opts.filter ?? '#';
  const quietMs = opts.quietMs ?? 300;
  const maxMs = opts.maxMs ?? 30_000;
  const maxMessages = opts.maxMessages ?? 100_000;
  const client = await connectOnce(login, 'retained');
  try {
    return await collect(client, filter, quietMs, maxMs, maxMessages);
  } finally {
    await client.endAsync(true).catch(() => undefined);
  }
}

async function collect(
  client: MqttClient,
  filter: string,
  quietMs: number,
  maxMs: number,
  maxMessages: number,
): Promise<ScanResult> {
  const byTopic = new Map<string, RetainedMessage>();
  let truncated = false;
  let quietTimer: NodeJS.Timeout | undefined;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const rearm = () => {
    clearTimeout(quietTimer);
    quietTimer = setTimeout(finish, quietMs);
  };
  client.on('message', (topic, payload, packet) => {
    if (!packet.retain || truncated) return;
    // An empty retained payload is a deletion in flight, not a retained message.
    if (payload.length > 0) byTopic.set(topic, { topic, payload });
    if (byTopic.size >= maxMessages) {
      truncated = true;
      finish();
      return;
    }
    rearm();
  });
  const overall = setTimeout(() => {
    truncated = true;
    finish();
  }, maxMs);
  try {
    const granted = await client.subscribeAsync(filter, { qos: 0, rh: 0 });
    const code = granted[0]?.qos ?? 128;
    if (code >= 128) {
      throw new StewardError(
        'E_EXTERNAL',
        `the broker refused the subscription to ${filter} (reason ${code})`,
        {
          hint: 'mqtt.broker’s user needs read access to the topics it scans',
        },
      );
    }
    rearm();
    await done;
  } finally {
    clearTimeout(quietTimer);
    clearTimeout(overall);
  }
  const messages = [...byTopic.values()].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : 0));
  return { messages, truncated };
}
