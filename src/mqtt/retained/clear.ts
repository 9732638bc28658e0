import { errorMessage } from '../../core/errors.js';
import { type BrokerLogin, connectOnce, isNotAuthorized } from '../connect.js';

export interface ClearOutcome {
  topic: string;
  /** cleared, or why not. */
  result: 'cleared' | 'not authorized' | 'failed';
  error?: string;
}

/** Clears retained messages the MQTT way: a zero-length retained publish (QoS 1, so the broker confirms). */
export async function clearRetained(login: BrokerLogin, topics: readonly string[]): Promise<ClearOutcome[]> {
  if (topics.length === 0) return [];
  const client = await connectOnce(login, 'retained-clear');
  try {
    const outcomes: ClearOutcome[] = [];
    for (const topic of topics) {
      try {
        await client.publishAsync(topic, Buffer.alloc(0), { qos: 1, retain: true });
        outcomes.push({ topic, result: 'cleared' });
      } catch (err) {
        outcomes.push(
          isNotAuthorized(err)
            ? { topic, result: 'not authorized' }
            : { topic, result: 'failed', error: errorMessage(err) },
        );
      }
    }
    return outcomes;
  } finally {
    await client.endAsync().catch(() => undefined);
  }
}
