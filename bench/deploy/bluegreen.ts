/** (a) The native blue/green switch under load: autocannon through Steward's proxy, steady and across a switch. */
import autocannon from 'autocannon';
import { sleep } from '../checks/proc.js';
import { commitApi, pushWebhook, type World, waitFinished } from './setup.js';

export interface LoadFigures {
  requests: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  rps: number;
}

export interface BlueGreenResult {
  connections: number;
  durationS: number;
  steady: LoadFigures;
  switching: LoadFigures & { deployment: string; state: string; switchedAtS: number };
}

function run(url: string, connections: number, durationS: number): { done: Promise<LoadFigures> } {
  const done = new Promise<LoadFigures>((resolve, reject) => {
    autocannon({ url, connections, duration: durationS, pipelining: 1 }, (err, r) => {
      if (err) return reject(err);
      resolve({
        requests: r.requests.total,
        errors: r.errors,
        timeouts: r.timeouts,
        non2xx: r.non2xx,
        p50Ms: r.latency.p50,
        p99Ms: r.latency.p99,
        maxMs: r.latency.max,
        rps: r.requests.average,
      });
    });
  });
  return { done };
}

export async function blueGreen(
  w: World,
  opts: { connections: number; durationS: number },
): Promise<BlueGreenResult> {
  const url = `http://127.0.0.1:${w.proxyPort}/index.html`;
  const steady = await run(url, opts.connections, opts.durationS).done;
  const started = Date.now();
  const load = run(url, opts.connections, opts.durationS);
  await sleep(1000);
  const commit = await commitApi(w, `v${w.commits + 1}`);
  const hook = await pushWebhook(w, commit);
  if (!hook.id) throw new Error(`webhook answered ${hook.status}`);
  const d = await waitFinished(w, hook.id);
  const switchedAtS = (Date.now() - started) / 1000;
  const switching = await load.done;
  if (switchedAtS > opts.durationS)
    throw new Error(`the switch (${switchedAtS} s) ended after the load window`);
  return {
    connections: opts.connections,
    durationS: opts.durationS,
    steady,
    switching: { ...switching, deployment: d.id, state: d.state, switchedAtS },
  };
}
