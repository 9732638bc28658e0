import { hardenedExample } from './hardened-example.js';
import type { Rule } from './types.js';
import { example, securityOpts } from './util.js';

export const seccompApparmorUnconfined: Rule = {
  id: 'seccomp-apparmor-unconfined',
  title: 'Seccomp and AppArmor stay confined',
  defaultSeverity: 'error',
  security: true,
  rationale:
    'The default seccomp profile blocks about 44 dangerous syscalls and AppArmor confines file access; "unconfined" turns that protection off for the whole container.',
  hint: 'remove the unconfined option; if one syscall is needed, ship a custom seccomp profile that allows just it',
  examples: {
    bad: example(`
      services:
        api:
          image: ghcr.io/example/api:2.4.1
          security_opt:
            - seccomp:unconfined
            - apparmor:unconfined
    `),
    good: hardenedExample({
      note: {
        security_opt: 'the default seccomp and AppArmor profiles stay on: nothing here says unconfined',
      },
    }),
  },
  check(ctx) {
    for (const opt of securityOpts(ctx.service.node)) {
      if ((opt.name === 'seccomp' || opt.name === 'apparmor') && opt.value === 'unconfined') {
        ctx.report(opt.node, `${opt.name} is unconfined`, opt.name);
      }
      if (opt.name === 'label' && opt.value === 'disable')
        ctx.report(opt.node, 'SELinux labelling is disabled', 'selinux');
      // "label:seccomp:unconfined" is not valid Docker syntax but shows what was meant.
      if (opt.name === 'label' && opt.value === 'seccomp:unconfined')
        ctx.report(opt.node, 'seccomp is unconfined', 'seccomp');
      if (opt.name === 'systempaths' && opt.value === 'unconfined') {
        ctx.report(opt.node, '/proc and /sys system paths are unmasked', 'systempaths');
      }
    }
  },
};
