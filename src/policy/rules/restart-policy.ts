import { get, getPath, text } from '../compose/nodes.js';
import { hardenedExample } from './hardened-example.js';
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
    good: hardenedExample({
      comment: { restart: 'back after a crash or a reboot, not after docker compose stop' },
    }),
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
