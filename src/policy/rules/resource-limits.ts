import { type CNode, get, getPath, text } from '../compose/nodes.js';
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
    good: example(`
      services:
        api:
          image: ghcr.io/example/api:2.4.1
          user: "1000:1000"
          read_only: true
          tmpfs:
            - /tmp
          cap_drop: [ALL]
          security_opt:
            - no-new-privileges:true
          ports:
            - "127.0.0.1:8080:8080"
          deploy:
            resources:
              limits:
                memory: 256M # the kernel stops this service, not the database
                cpus: "0.5"
                pids: 200 # a fork bomb ends here
          healthcheck:
            test: ["CMD", "wget", "-qO-", "http://127.0.0.1:8080/healthz"]
            interval: 30s
            timeout: 5s
            retries: 3
          restart: unless-stopped
          logging:
            driver: json-file
            options:
              max-size: "10m"
              max-file: "3"
    `),
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
