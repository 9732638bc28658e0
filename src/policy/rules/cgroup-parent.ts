import { get } from '../compose/nodes.js';
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
                memory: 256M
                cpus: "0.5"
                pids: 200
          healthcheck:
            test: ["CMD", "wget", "-qO-", "http://127.0.0.1:8080/healthz"]
            interval: 30s
            timeout: 5s
            retries: 3
          restart: unless-stopped
          # no cgroup_parent: Docker's own cgroup carries the limits above
          logging:
            driver: json-file
            options:
              max-size: "10m"
              max-file: "3"
    `),
  },
  check(ctx) {
    const node = get(ctx.service.node, 'cgroup_parent');
    if (node) ctx.report(node, 'sets a custom cgroup_parent');
  },
};
