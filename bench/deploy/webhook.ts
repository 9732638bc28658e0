/** (c) Webhook → Live: a one-service change and a no-op, timed from the POST to the deployment's final state. */
import { median } from './compose.js';
import { commitApi, pushWebhook, type World, waitFinished } from './setup.js';

export interface WebhookResult {
  trials: number;
  changeMs: number[];
  noopMs: number[];
  ackMs: number[];
  changeMedianMs: number;
  noopMedianMs: number;
  ackMaxMs: number;
}

export async function webhookToLive(w: World, trials: number): Promise<WebhookResult> {
  const changeMs: number[] = [];
  const noopMs: number[] = [];
  const ackMs: number[] = [];
  for (let t = 0; t < trials; t++) {
    const commit = await commitApi(w, `hook${t}`);
    for (const kind of ['change', 'noop'] as const) {
      const t0 = performance.now();
      const hook = await pushWebhook(w, commit);
      ackMs.push(performance.now() - t0);
      if (hook.status !== 202 || !hook.id) throw new Error(`webhook answered ${hook.status}`);
      const d = await waitFinished(w, hook.id);
      const took = performance.now() - t0;
      const expected = kind === 'change' ? 'succeeded' : 'noop';
      if (d.state !== expected)
        throw new Error(`${kind} deployment ${d.id}: ${d.state}, expected ${expected}`);
      (kind === 'change' ? changeMs : noopMs).push(took);
    }
  }
  return {
    trials,
    changeMs,
    noopMs,
    ackMs,
    changeMedianMs: median(changeMs),
    noopMedianMs: median(noopMs),
    ackMaxMs: Math.max(...ackMs),
  };
}
