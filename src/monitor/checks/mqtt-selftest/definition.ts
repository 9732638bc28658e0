import type { ResolvedConfig } from '../../../config/resolve.js';
import { errorMessage } from '../../../core/errors.js';
import { runSelftest } from '../../../mqtt/selftest/index.js';
import type { Store } from '../../../store/index.js';
import type { ProbeContext, ProbeResult } from '../types.js';

/**
 * The probe of an `mqtt-selftest` check: the same self-test as `steward mqtt selftest`, run
 * by the daemon, whose own ingest stores the sample. It needs the whole config and the store,
 * so it is built in definitions.ts rather than being a plain driver.
 */
export async function probeMqttSelftest(
  config: ResolvedConfig,
  store: Store,
  ctx: ProbeContext,
): Promise<ProbeResult> {
  const broker = config.mqtt.broker;
  if (!broker) return { status: 'down', message: 'mqtt.broker is not configured' };
  try {
    const r = await runSelftest({
      login: { url: broker.url, username: broker.username, password: broker.password },
      rules: config.mqtt.ingest,
      settings: config.mqtt.selftest,
      // A little under the check's timeout, so the probe reports its own verdict first.
      timeoutMs: Math.max(1000, ctx.timeoutMs - 500),
      metrics: store.metrics,
      signal: ctx.signal,
    });
    return {
      status: r.ok ? 'up' : 'down',
      message: r.message,
      ...(r.roundTripMs !== null ? { latencyMs: r.roundTripMs } : {}),
      details: { topic: r.topic, metric: r.metric },
    };
  } catch (err) {
    return { status: 'down', message: errorMessage(err) };
  }
}
