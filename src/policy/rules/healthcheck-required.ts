import { entry, get, isTrue, stringItems } from '../compose/nodes.js';
import { hardenedExample } from './hardened-example.js';
import type { Rule } from './types.js';
import { example } from './util.js';

export const healthcheckRequired: Rule = {
  id: 'healthcheck-required',
  title: 'Every service has a health check',
  defaultSeverity: 'warning',
  security: false,
  rationale:
    'Without a health check a container that runs but no longer works counts as up: deploys cannot gate on it and depends_on cannot wait for it.',
  hint: 'add `healthcheck: { test: ["CMD", "…"], interval: 30s }` (or rely on one the image defines and say so with an ignore)',
  examples: {
    bad: example(`
      services:
        api:
          image: ghcr.io/example/api:2.4.1
          restart: unless-stopped
    `),
    good: hardenedExample({
      healthcheck: { startPeriod: '10s' },
      note: { healthcheck: 'depends_on with condition: service_healthy can wait for this' },
    }),
  },
  check(ctx) {
    const hc = entry(ctx.service.node, 'healthcheck');
    if (!hc) {
      ctx.reportMissing('no healthcheck: a container that hangs still counts as running');
      return;
    }
    const disable = entry(hc.value, 'disable');
    if (disable && isTrue(disable.value)) {
      ctx.report(disable.keyLoc, 'healthcheck is disabled');
      return;
    }
    const test = get(hc.value, 'test');
    const first = stringItems(test)[0];
    if (first && first.value.toUpperCase() === 'NONE')
      ctx.report(test ?? first.node, 'healthcheck test is NONE (disabled)');
  },
};
