import { get, getPath, text } from '../compose/nodes.js';
import type { Rule } from './types.js';

export const restartPolicy: Rule = {
  id: 'restart-policy',
  title: 'A restart policy is set',
  defaultSeverity: 'warning',
  security: false,
  rationale:
    'Without a restart policy a service that crashes, or a box that reboots after a power cut, stays down until someone notices.',
  hint: 'add `restart: unless-stopped` (steward lint --fix does it)',
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
