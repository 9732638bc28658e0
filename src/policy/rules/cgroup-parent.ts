import { get } from '../compose/nodes.js';
import { hardenedExample } from './hardened-example.js';
import type { Rule } from './types.js';
import { example } from './util.js';

export const cgroupParent: Rule = {
  id: 'cgroup-parent',
  title: "Containers stay in Docker's cgroup",
  defaultSeverity: 'info',
  security: true,
  rationale:
    'A custom cgroup_parent takes the container out of the cgroup Docker manages, so the limits and accounting set for containers may no longer apply to it.',
  hint: 'remove cgroup_parent unless a host-side cgroup was set up for this service on purpose',
  examples: {
    bad: example(`
      services:
        api:
          image: ghcr.io/example/api:2.4.1
          cgroup_parent: /custom.slice
    `),
    good: hardenedExample({
      note: { logging: "no cgroup_parent: Docker's own cgroup carries the limits above" },
    }),
  },
  check(ctx) {
    const node = get(ctx.service.node, 'cgroup_parent');
    if (node) ctx.report(node, 'sets a custom cgroup_parent');
  },
};
