import { get, isTrue } from '../compose/nodes.js';
import type { Rule } from './types.js';

export const noPrivileged: Rule = {
  id: 'no-privileged',
  title: 'No privileged containers',
  defaultSeverity: 'error',
  security: true,
  rationale:
    'A privileged container has every capability, every device and no seccomp or AppArmor profile: it is root on the host.',
  hint: 'remove `privileged: true`; pass the one device with `devices:` and the one capability with `cap_add:`',
  check(ctx) {
    const privileged = get(ctx.service.node, 'privileged');
    if (isTrue(privileged) && privileged) ctx.report(privileged, 'runs privileged (privileged: true)');
  },
};
