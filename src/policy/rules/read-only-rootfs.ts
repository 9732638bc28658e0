import { get, isTrue } from '../compose/nodes.js';
import type { Rule } from './types.js';

export const readOnlyRootfs: Rule = {
  id: 'read-only-rootfs',
  title: 'Root filesystem is read-only',
  defaultSeverity: 'info',
  security: true,
  rationale:
    'A read-only root filesystem stops an intruder from dropping tools or changing binaries, and makes every place a service writes explicit (volumes, tmpfs).',
  hint: 'set `read_only: true` and give the paths the service writes a volume or `tmpfs:`',
  check(ctx) {
    const ro = get(ctx.service.node, 'read_only');
    if (!ro) ctx.reportMissing('the root filesystem is writable (no read_only: true)');
    else if (!isTrue(ro)) ctx.report(ro, 'read_only is false');
  },
};
