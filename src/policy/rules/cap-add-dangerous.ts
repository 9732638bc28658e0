import { get, stringItems } from '../compose/nodes.js';
import { capabilityName, dangerousCapabilities } from './capabilities.js';
import { hardenedExample } from './hardened-example.js';
import type { Rule } from './types.js';
import { example } from './util.js';

export const capAddDangerous: Rule = {
  id: 'cap-add-dangerous',
  title: 'No dangerous capabilities added',
  defaultSeverity: 'error',
  security: true,
  rationale:
    'SYS_ADMIN, NET_ADMIN, SYS_MODULE, SYS_PTRACE, DAC_READ_SEARCH and ALL each give a container a path to the host kernel or other processes.',
  hint: 'remove the capability; if a device needs it, add the narrowest one and record an exception with the reason',
  examples: {
    bad: example(`
      services:
        api:
          image: ghcr.io/example/api:2.4.1
          cap_add:
            - SYS_ADMIN
    `),
    good: hardenedExample({
      note: { cap_drop: 'and no cap_add: a non-root service on port 8080 needs none' },
    }),
  },
  check(ctx) {
    for (const cap of stringItems(get(ctx.service.node, 'cap_add'))) {
      const name = capabilityName(cap.value);
      if (dangerousCapabilities.has(name)) ctx.report(cap.node, `adds the ${name} capability`);
    }
  },
};
