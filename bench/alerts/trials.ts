/** The webhook receiver's client, the daemon's API, and the latency trials (metric rule, check rule). */
import path from 'node:path';
import type { Daemon } from '../checks/live.js';
import { type Child, sleep, startChild } from '../checks/proc.js';

/** One request the receiver got (see receiver.mjs). */
export interface Received {
  at: number;
  path: string;
  kind: string | null;
  delivery: string | null;
  n: number;
  keys: string[];
}

/** Wall clock in ms with sub-ms precision: the same clock receiver.mjs stamps arrivals with. */
export const wall = () => performance.timeOrigin + performance.now();

export class Receiver {
  readonly records: Received[] = [];
  constructor(
    readonly url: string,
    readonly child: Child,
  ) {}

  static async start(root: string): Promise<Receiver> {
    const child = startChild([process.execPath, path.join(root, 'bench/alerts/receiver.mjs')]);
    const { port } = JSON.parse(await child.nextLine()) as { port: number };
    return new Receiver(`http://127.0.0.1:${port}`, child);
  }

  async call<T>(method: 'GET' | 'POST', route: string): Promise<T> {
    const res = await fetch(`${this.url}${route}`, { method });
    if (!res.ok) throw new Error(`receiver ${method} ${route}: ${res.status}`);
    return (await res.json()) as T;
  }

  /** Fetches new records, holding the request up to waitMs until there is one. */
  async pull(waitMs: number): Promise<void> {
    const r = await this.call<{ records: Received[] }>(
      'GET',
      `/_received?from=${this.records.length}&wait=${Math.max(0, Math.round(waitMs))}`,
    );
    this.records.push(...r.records);
  }

  /** The first record from index `from` on that satisfies `pred`. */
  async waitFor(what: string, from: number, pred: (r: Received) => boolean, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    for (let i = from; ; ) {
      for (; i < this.records.length; i++) {
        const r = this.records[i] as Received;
        if (pred(r)) return r;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await this.pull(Math.min(1000, left));
    }
  }
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  ts?: number;
}

/** POST /api/v1/metrics with a ready-made JSON body; throws unless every sample was written. */
export async function postBody(d: Daemon, token: string, body: string, expected: number): Promise<void> {
  const res = await fetch(`${d.url}/api/v1/metrics`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body,
  });
  const reply = (await res.json()) as { written?: number; duplicates?: number; rejected?: number };
  if (!res.ok || reply.rejected || reply.written !== expected)
    throw new Error(`POST /api/v1/metrics: ${res.status} ${JSON.stringify(reply)} (expected ${expected})`);
}

export const postSamples = (d: Daemon, token: string, samples: Sample[]) =>
  postBody(d, token, JSON.stringify({ samples }), samples.length);

export interface LatencyStats {
  n: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  minMs: number;
  /** Every trial, ms, in order. */
  runsMs: number[];
}

/** Nearest-rank quantiles: p99 of 200 trials is the 198th smallest. */
export function stats(runs: number[]): LatencyStats {
  const sorted = [...runs].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
  return {
    n: runs.length,
    p50Ms: q(0.5),
    p99Ms: q(0.99),
    maxMs: sorted.at(-1) ?? Number.NaN,
    meanMs: runs.reduce((a, b) => a + b, 0) / runs.length,
    minMs: sorted[0] ?? Number.NaN,
    runsMs: runs.map((x) => Math.round(x * 100) / 100),
  };
}

export interface MetricTrials {
  /** POST of the crossing sample started → `firing` webhook arrived. */
  fire: LatencyStats;
  /** The POST's own round trip (its answer comes after the sample is stored and evaluated). */
  post: LatencyStats;
  /** POST of a sample back under the threshold started → `resolved` webhook arrived. */
  resolve: LatencyStats;
}

/**
 * Trial i posts bench_value{trial="i"} = 150 (a new series, so a new alert instance of
 * value-high), waits for its `firing` webhook, then posts 50 and waits for `resolved`, so no
 * instance stays open and the trials do not overlap.
 */
export async function metricTrials(d: Daemon, token: string, rx: Receiver, n: number): Promise<MetricTrials> {
  const fire: number[] = [];
  const post: number[] = [];
  const resolve: number[] = [];
  for (let i = 0; i < n; i++) {
    const key = `value-high:${i}`;
    const labels = { trial: String(i) };
    let mark = rx.records.length;
    const t0 = wall();
    await postSamples(d, token, [{ name: 'bench_value', labels, value: 150 }]);
    post.push(wall() - t0);
    const fired = await rx.waitFor(
      `firing of ${key}`,
      mark,
      (r) => r.kind === 'firing' && r.keys.includes(key),
    );
    fire.push(fired.at - t0);
    mark = rx.records.length;
    const t1 = wall();
    await postSamples(d, token, [{ name: 'bench_value', labels, value: 50 }]);
    const done = await rx.waitFor(
      `resolved ${key}`,
      mark,
      (r) => r.kind === 'resolved' && r.keys.includes(key),
    );
    resolve.push(done.at - t1);
    if ((i + 1) % 50 === 0 || i + 1 === n)
      console.log(`  metric trials: ${i + 1}/${n}, last ${(fired.at - t0).toFixed(1)} ms`);
  }
  return { fire: stats(fire), post: stats(post), resolve: stats(resolve) };
}

export interface CheckTrials {
  intervalMs: number;
  /** Target switched to 503 → `firing` webhook arrived: includes the wait for the next probe. */
  fromSwitch: LatencyStats;
  /** The first 503 the target served (the probe that saw it) → `firing` arrived. */
  fromProbe: LatencyStats;
  /** Target switched back to 200 → `resolved` arrived. */
  resolve: LatencyStats;
}

interface TargetState {
  healthy: boolean;
  downAt: number | null;
  firstFailAt: number | null;
  probes: number;
}

/** Waits until the check `target` is up (its probes reach the receiver and the API says up). */
export async function waitCheckUp(d: Daemon, token: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await fetch(`${d.url}/api/v1/checks`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as { checks?: { name: string; state: string }[] };
    if (body.checks?.find((c) => c.name === 'target')?.state === 'up') return;
    if (Date.now() > deadline) throw new Error(`check target not up: ${JSON.stringify(body)}`);
    await sleep(100);
  }
}

/**
 * Each trial waits a random 0–1 interval (so the switch falls anywhere in the probe schedule),
 * switches the target to 503, waits for target-down's `firing`, switches back and waits for
 * `resolved`.
 */
export async function checkTrials(
  d: Daemon,
  token: string,
  rx: Receiver,
  n: number,
  intervalMs: number,
): Promise<CheckTrials> {
  const key = 'target-down:target';
  const fromSwitch: number[] = [];
  const fromProbe: number[] = [];
  const resolve: number[] = [];
  await waitCheckUp(d, token);
  for (let i = 0; i < n; i++) {
    await sleep(Math.random() * intervalMs);
    let mark = rx.records.length;
    const down = await rx.call<{ at: number }>('POST', '/_target/down');
    const fired = await rx.waitFor(
      'target-down firing',
      mark,
      (r) => r.kind === 'firing' && r.keys.includes(key),
    );
    const t = await rx.call<TargetState>('GET', '/_target');
    fromSwitch.push(fired.at - down.at);
    fromProbe.push(fired.at - (t.firstFailAt ?? Number.NaN));
    mark = rx.records.length;
    const up = await rx.call<{ at: number }>('POST', '/_target/up');
    const done = await rx.waitFor(
      'target-down resolved',
      mark,
      (r) => r.kind === 'resolved' && r.keys.includes(key),
    );
    resolve.push(done.at - up.at);
    console.log(`  check trials: ${i + 1}/${n}, ${(fired.at - down.at).toFixed(1)} ms from the switch`);
  }
  return { intervalMs, fromSwitch: stats(fromSwitch), fromProbe: stats(fromProbe), resolve: stats(resolve) };
}
