import { entry } from '../compose/nodes.js';
import type { Rule } from './types.js';
import { securityOpts } from './util.js';

export const noNewPrivileges: Rule = {
  id: 'no-new-privileges',
  title: 'no-new-privileges is set',
  defaultSeverity: 'warning',
  security: true,
  rationale:
    'no-new-privileges stops setuid binaries and file capabilities from raising privileges inside the container; it almost never breaks a service.',
  hint: 'add `security_opt: ["no-new-privileges:true"]` (steward lint --fix does it)',
  check(ctx) {
    const opts = entry(ctx.service.node, 'security_opt');
    if (!opts) {
      ctx.reportMissing('no-new-privileges is not set (no security_opt)');
      return;
    }
    const nnp = securityOpts(ctx.service.node).find((o) => o.name === 'no-new-privileges');
    if (!nnp) ctx.report(opts.keyLoc, 'security_opt does not set no-new-privileges:true');
    else if (nnp.value === 'false') ctx.report(nnp.node, 'no-new-privileges is turned off');
  },
};
