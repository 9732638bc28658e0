import { get, getPath, text } from '../compose/nodes.js';
import type { Rule } from './types.js';
import { example } from './util.js';

export const restartPolicy: Rule = {
  id: 'restart-policy',
  title: 'A restart policy is set',
  defaultSeverity: 'warning',
  security: false,
  rationale:
    'Without a restart policy a service that crashes, or a box that reboots after a power cut, stays down until someone notices.',
  hint: 'add `restart: unless-stopped` (steward lint --fix does it)',
  autoFix: {
    what: 'partly: when a service has no restart policy at all, `steward lint --fix` adds `restart: unless-stopped`; an explicit `restart: "no"` is someone\'s choice and is left alone',
    partial: true,
  },
  examples: {
    bad: example(`
      services:
        api:
          image: ghcr.io/example/api:2.4.1
          restart: "no"
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
          restart: unless-stopped # back after a crash or a reboot, not after docker compose stop
          logging:
            driver: json-file
            options:
              max-size: "10m"
              max-file: "3"
    `),
  },
  check(ctx) {
    const restart = get(ctx.service.node, 'restart');
    const swarm = getPath(ctx.service.node, 'deploy', 'restart_policy', 'condition');
    if (!restart && !swarm) {
      ctx.reportMissing('no restart policy: the service stays down after a crash or reboot');
      return;
    }
    if (restart && text(restart)?.trim() === 'no')
      ctx.report(restart, 'restart: "no" leaves the service down after a crash or reboot');
    if (!restart && swarm && text(swarm) === 'none') ctx.report(swarm, 'restart_policy condition none');
  },
};
