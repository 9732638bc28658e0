import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage } from '../../core/errors.js';
import type { MetricSamples } from '../../store/metric-samples.js';
import { type BrokerLogin, connectOnce, isNotAuthorized } from '../connect.js';
import type { IngestRule } from '../ingest/index.js';
import { planSelftest, type SelftestSettings } from './plan.js';

export interface SelftestResult {
  ok: boolean;
  topic: string;
  metric: string;
  labels: Record<string, string>;
  /** From the publish to the sample being readable in the store; null when it never was. */
  roundTripMs: number | null;
  message: string;
}

export interface SelftestOptions {
  login: BrokerLogin;
  rules: readonly IngestRule[];
  settings?: SelftestSettings | undefined;
  timeoutMs: number;
  metrics: Pick<MetricSamples, 'findSample'>;
  signal?: AbortSignal;
  /** How often the store is asked (default 20 ms). */
  pollMs?: number;
}

/** Payload times may come from the payload; a minute of slack covers a clock that is a little off. */
const SEARCH_SLACK_MS = 60_000;

/**
 * Seed 004's "publish a test MQTT message and confirm ingestion": a uniquely tagged message
 * on a topic an ingest rule covers, then wait until the daemon has stored its sample. Throws
 * only when the self-test cannot be built from the config (StewardError E_CONFIG).
 */
export async function runSelftest(o: SelftestOptions): Promise<SelftestResult> {
  const started = Date.now();
  // An integer below 2^31: exact as a float, and no real sensor sends this particular one.
  const tag = { value: randomInt(1_000_000, 2 ** 31 - 1), nowMs: started, seq: started };
  const plan = planSelftest(o.rules, o.settings, tag);
  const base = { topic: plan.topic, metric: plan.expect.name, labels: plan.expect.labels };
  const fail = (message: string): SelftestResult => ({ ...base, ok: false, roundTripMs: null, message });

  let client: Awaited<ReturnType<typeof connectOnce>>;
  try {
    client = await connectOnce(o.login, 'selftest', { connectTimeoutMs: o.timeoutMs });
  } catch (err) {
    return fail(errorMessage(err));
  }
  try {
    await client.publishAsync(plan.topic, plan.payload, { qos: 1 });
  } catch (err) {
    return fail(
      isNotAuthorized(err)
        ? `the broker refused the publish on ${plan.topic}: ${o.login.username ?? 'anonymous'} may not write there`
        : `publish on ${plan.topic} failed: ${errorMessage(err)}`,
    );
  } finally {
    await client.endAsync().catch(() => undefined);
  }

  const deadline = started + o.timeoutMs;
  const pollMs = o.pollMs ?? 20;
  while (!o.signal?.aborted) {
    const ts = o.metrics.findSample(
      plan.expect.name,
      plan.expect.labels,
      started - SEARCH_SLACK_MS,
      plan.expect.value,
    );
    if (ts !== null) {
      const roundTripMs = Date.now() - started;
      return {
        ...base,
        ok: true,
        roundTripMs,
        message: `stored ${roundTripMs} ms after publishing on ${plan.topic}`,
      };
    }
    if (Date.now() >= deadline) break;
    await sleep(pollMs);
  }
  return fail(
    `no sample ${plan.expect.name} within ${o.timeoutMs} ms of publishing on ${plan.topic}: is the daemon running and connected to the broker (steward status, steward mqtt quarantine list)?`,
  );
}
