/**
 * Many active alert instances: load-high fires for `instances` series of bench_load; then the
 * evaluation cost of a sample that only confirms a firing instance, against a sample of a metric
 * no rule reads, in the same daemon; and its memory with those instances open.
 */
import type { Daemon } from '../checks/live.js';
import { promValues } from '../checks/live.js';
import { cpuSeconds, memory, sleep } from '../checks/proc.js';
import { postBody, type Receiver, type Sample } from './trials.js';

export interface IngestFigures {
  metric: string;
  samples: number;
  posts: number;
  wallS: number;
  /** Daemon utime + stime over its POSTs. */
  cpuS: number;
  samplesPerS: number;
  cpuUsPerSample: number;
}

export interface InstancesResult {
  instances: number;
  createBatch: number;
  /** First POST of a crossing sample → the last instance counted by steward_alerts_firing. */
  createWallS: number;
  createCpuS: number;
  /** Alerts in state triggered for load-high, from GET /api/v1/alerts?state=triggered. */
  triggered: number;
  /** Webhook requests to the bulk channel (group_by [alertname], group_wait 1s) and the alerts they carried. */
  bulkRequests: number;
  bulkAlerts: number;
  rssBeforeMiB: number;
  rssMiB: number;
  hwmMiB: number;
  evalBatch: number;
  rule: IngestFigures;
  other: IngestFigures;
  /** (rule − other) CPU per sample: what evaluating a sample against a firing instance adds. */
  evalUsPerSample: number;
}

const MiB = (kib: number) => kib / 1024;

async function firingInfo(d: Daemon): Promise<number> {
  const text = await (await fetch(`${d.url}/metrics`)).text();
  return promValues(text, 'steward_alerts_firing').get('{severity="info"}') ?? 0;
}

/** Bodies of `total` samples, `batch` a POST: sample k is series k % instances at ts base + ⌊k / instances⌋. */
function bodies(metric: string, total: number, instances: number, batch: number, base: number): string[] {
  const out: string[] = [];
  for (let start = 0; start < total; start += batch) {
    const samples: Sample[] = [];
    for (let k = start; k < Math.min(total, start + batch); k++) {
      const round = Math.floor(k / instances);
      samples.push({
        name: metric,
        labels: { i: String(k % instances) },
        value: 2 + round,
        ts: base + round,
      });
    }
    out.push(JSON.stringify({ samples }));
  }
  return out;
}

function figures(metric: string, samples: number, posts: number, wallS: number, cpuS: number): IngestFigures {
  return {
    metric,
    samples,
    posts,
    wallS,
    cpuS,
    samplesPerS: samples / wallS,
    cpuUsPerSample: (cpuS / samples) * 1e6,
  };
}

export async function measureInstances(
  d: Daemon,
  token: string,
  rx: Receiver,
  o: { instances: number; createBatch: number; samples: number; evalBatch: number },
): Promise<InstancesResult> {
  const pid = d.child.pid;
  const rssBeforeMiB = MiB(memory(pid).rssKiB);
  const bulkFrom = rx.records.length;

  // 1. Fire load-high for every series (one sample each, no ts: stored at now).
  console.log(`  instances: firing ${o.instances} load-high instances, ${o.createBatch} a POST`);
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  for (let start = 0; start < o.instances; start += o.createBatch) {
    const samples: Sample[] = [];
    for (let i = start; i < Math.min(o.instances, start + o.createBatch); i++)
      samples.push({ name: 'bench_load', labels: { i: String(i) }, value: 1 });
    await postBody(d, token, JSON.stringify({ samples }), samples.length);
  }
  const deadline = Date.now() + 300_000;
  while ((await firingInfo(d)) < o.instances) {
    if (Date.now() > deadline)
      throw new Error(`only ${await firingInfo(d)} of ${o.instances} instances firing`);
    await sleep(100);
  }
  const createWallS = (performance.now() - t0) / 1000;
  const createCpuS = cpuSeconds(pid) - cpu0;
  const listed = await fetch(`${d.url}/api/v1/alerts?state=triggered&limit=10000`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const triggered = ((await listed.json()) as { alerts: { rule: string }[] }).alerts.filter(
    (a) => a.rule === 'load-high',
  ).length;

  // 2. Wait for the grouped notifications to carry them all (not timed), so no delivery runs below.
  const bulk = () => rx.records.slice(bulkFrom).filter((r) => r.path === '/bulk' && r.kind === 'firing');
  const bulkDeadline = Date.now() + 120_000;
  while (bulk().reduce((n, r) => n + r.n, 0) < o.instances) {
    if (Date.now() > bulkDeadline) throw new Error('the bulk channel did not get every instance in 120 s');
    await rx.pull(1000);
  }
  await sleep(2000);
  await rx.pull(0);

  // 3. Samples that only confirm firing instances, against a metric no rule reads, interleaved.
  const base = Date.now() - 60_000;
  const ruleBodies = bodies('bench_load', o.samples, o.instances, o.evalBatch, base);
  const otherBodies = bodies('bench_other', o.samples, o.instances, o.evalBatch, base);
  const warm = Math.min(o.evalBatch, o.instances);
  for (const metric of ['bench_load', 'bench_other']) {
    const [body] = bodies(metric, warm, o.instances, warm, base - 1000);
    await postBody(d, token, body as string, warm);
  }
  console.log(
    `  instances: ${o.samples} samples each to bench_load (firing) and bench_other (no rule), ${o.evalBatch} a POST, interleaved`,
  );
  const acc = { rule: { wall: 0, cpu: 0 }, other: { wall: 0, cpu: 0 } };
  const sizes = ruleBodies.map((_, k) => Math.min(o.evalBatch, o.samples - k * o.evalBatch));
  for (let k = 0; k < ruleBodies.length; k++) {
    for (const [which, list] of [
      ['rule', ruleBodies],
      ['other', otherBodies],
    ] as const) {
      const c = cpuSeconds(pid);
      const t = performance.now();
      await postBody(d, token, list[k] as string, sizes[k] as number);
      acc[which].wall += (performance.now() - t) / 1000;
      acc[which].cpu += cpuSeconds(pid) - c;
    }
  }
  const mem = memory(pid);
  const rule = figures('bench_load', o.samples, ruleBodies.length, acc.rule.wall, acc.rule.cpu);
  const other = figures('bench_other', o.samples, otherBodies.length, acc.other.wall, acc.other.cpu);
  if ((await firingInfo(d)) !== o.instances) throw new Error('the number of firing instances changed');
  return {
    instances: o.instances,
    createBatch: o.createBatch,
    createWallS,
    createCpuS,
    triggered,
    bulkRequests: bulk().length,
    bulkAlerts: bulk().reduce((n, r) => n + r.n, 0),
    rssBeforeMiB,
    rssMiB: MiB(mem.rssKiB),
    hwmMiB: MiB(mem.hwmKiB),
    evalBatch: o.evalBatch,
    rule,
    other,
    evalUsPerSample: rule.cpuUsPerSample - other.cpuUsPerSample,
  };
}
