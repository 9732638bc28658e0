import { get, isTrue } from '../compose/nodes.js';
import { hardenedExample, unprivilegedWeb } from './hardened-example.js';
import type { Rule } from './types.js';
import { example } from './util.js';

export const readOnlyRootfs: Rule = {
  id: 'read-only-rootfs',
  title: 'Root filesystem is read-only',
  defaultSeverity: 'info',
  security: true,
  rationale:
    'A read-only root filesystem stops an intruder from dropping tools or changing binaries, and makes every place a service writes explicit (volumes, tmpfs).',
  hint: 'set `read_only: true` and give the paths the service writes a volume or `tmpfs:`',
  examples: {
    bad: example(`
      services:
        web:
          image: nginxinc/nginx-unprivileged:1.27.2-alpine
          read_only: false
    `),
    good: hardenedExample({
      ...unprivilegedWeb,
      comment: { tmpfs: 'the pid file and request buffers; nothing else is writable' },
    }),
  },
  check(ctx) {
    const ro = get(ctx.service.node, 'read_only');
    if (!ro) ctx.reportMissing('the root filesystem is writable (no read_only: true)');
    else if (!isTrue(ro)) ctx.report(ro, 'read_only is false');
  },
};
