import { get } from '../compose/nodes.js';
import type { Rule } from './types.js';

export const cgroupParent: Rule = {
  id: 'cgroup-parent',
  title: "Containers stay in Docker's cgroup",
  defaultSeverity: 'info',
  security: true,
  rationale:
    'A custom cgroup_parent takes the container out of the cgroup Docker manages, so the limits and accounting set for containers may no longer apply to it.',
  hint: 'remove cgroup_parent unless a host-side cgroup was set up for this service on purpose',
  check(ctx) {
    const node = get(ctx.service.node, 'cgroup_parent');
    if (node) ctx.report(node, 'sets a custom cgroup_parent');
  },
};
