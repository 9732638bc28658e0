import { entry, stringItems } from '../compose/nodes.js';
import { capabilityName } from './capabilities.js';
import { hardenedExample, unprivilegedWeb } from './hardened-example.js';
import type { Rule } from './types.js';
import { example } from './util.js';

export const capDropAll: Rule = {
  id: 'cap-drop-all',
  title: 'Services drop all capabilities',
  defaultSeverity: 'warning',
  security: true,
  rationale:
    'Docker grants fourteen capabilities by default (CHOWN, NET_RAW, SETUID…); few services need any. Dropping all and adding back the one needed removes whole classes of escalation.',
  hint: 'add `cap_drop: [ALL]` and `cap_add:` only what the service needs (e.g. NET_BIND_SERVICE)',
  examples: {
    bad: example(`
      services:
        web:
          image: nginxinc/nginx-unprivileged:1.27.2-alpine
          cap_drop:
            - NET_RAW
    `),
    good: hardenedExample({
      ...unprivilegedWeb,
      note: { cap_drop: 'uid 101 listening on 8080 needs no capability at all' },
    }),
  },
  check(ctx) {
    const drop = entry(ctx.service.node, 'cap_drop');
    if (!drop) {
      ctx.reportMissing('capabilities are not dropped (no cap_drop: [ALL])');
      return;
    }
    const dropped = stringItems(drop.value).map((c) => capabilityName(c.value));
    if (!dropped.includes('ALL')) ctx.report(drop.value, 'cap_drop does not drop ALL');
  },
};
