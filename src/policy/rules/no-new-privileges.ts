import { entry } from '../compose/nodes.js';
import { hardenedExample } from './hardened-example.js';
import type { Rule } from './types.js';
import { example, securityOpts } from './util.js';

export const noNewPrivileges: Rule = {
  id: 'no-new-privileges',
  title: 'no-new-privileges is set',
  defaultSeverity: 'warning',
  security: true,
  rationale:
    'no-new-privileges stops setuid binaries and file capabilities from raising privileges inside the container; it almost never breaks a service.',
  hint: 'add `security_opt: ["no-new-privileges:true"]` (steward lint --fix does it)',
  autoFix: { what: 'yes: `steward lint --fix` adds `no-new-privileges:true` to `security_opt`' },
  examples: {
    bad: example(`
      services:
        api:
          image: ghcr.io/example/api:2.4.1
          security_opt:
            - no-new-privileges:false
    `),
    good: hardenedExample({ comment: { security_opt: 'setuid binaries cannot raise privileges' } }),
  },
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
