import { type CNode, get, getPath, text } from '../compose/nodes.js';
import { hardenedExample } from './hardened-example.js';
import type { Rule, RuleContext } from './types.js';
import { deepestExisting, example } from './util.js';

function limitsPath(ctx: RuleContext, what: string, aspect: string): void {
  const at = deepestExisting(ctx, 'deploy', 'resources', 'limits');
  const message = `no ${what} limit`;
  if (at) ctx.report(at, message, aspect);
  else ctx.reportMissing(message, aspect);
}

function unlimited(node: CNode | undefined): boolean {
  const value = text(node)?.trim();
  return value === '-1' || value === '0';
}

export const resourceLimits: Rule = {
  id: 'resource-limits',
  title: 'Memory, CPU and process limits are set',
  defaultSeverity: 'warning',
  security: true,
  rationale:
    'One leaking or runaway service should not take the box with it: without memory, CPU and pids limits it can starve the database, the broker and the SSH daemon.',
  hint: 'set `deploy.resources.limits: { memory: 256M, cpus: "0.5", pids: 200 }` (or mem_limit / cpus / pids_limit)',
  examples: {
    bad: example(`
      services:
        api:
          image: ghcr.io/example/api:2.4.1
          deploy:
            resources:
              limits:
                memory: 256M
    `),
    good: hardenedExample({
      comment: {
        'deploy.resources.limits.memory': 'the kernel stops this service, not the database',
        'deploy.resources.limits.pids': 'a fork bomb ends here',
      },
    }),
  },
  check(ctx) {
    const svc = ctx.service.node;
    const limits = getPath(svc, 'deploy', 'resources', 'limits');
    if (!get(limits, 'memory') && !get(svc, 'mem_limit')) limitsPath(ctx, 'memory', 'memory');
    if (!get(limits, 'cpus') && !get(svc, 'cpus') && !get(svc, 'cpu_quota')) limitsPath(ctx, 'CPU', 'cpus');
    const pids = get(svc, 'pids_limit') ?? get(limits, 'pids');
    if (!pids) ctx.reportMissing('no pids limit (a fork bomb takes the host)', 'pids');
    else if (unlimited(pids)) ctx.report(pids, 'pids limit is unlimited', 'pids');
  },
};
