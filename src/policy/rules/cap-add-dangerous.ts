import { get, stringItems } from '../compose/nodes.js';
import { capabilityName, dangerousCapabilities } from './capabilities.js';
import type { Rule } from './types.js';

export const capAddDangerous: Rule = {
  id: 'cap-add-dangerous',
  title: 'No dangerous capabilities added',
  defaultSeverity: 'error',
  security: true,
  rationale:
    'SYS_ADMIN, NET_ADMIN, SYS_MODULE, SYS_PTRACE, DAC_READ_SEARCH and ALL each give a container a path to the host kernel or other processes.',
  hint: 'remove the capability; if a device needs it, add the narrowest one and record an exception with the reason',
  check(ctx) {
    for (const cap of stringItems(get(ctx.service.node, 'cap_add'))) {
      const name = capabilityName(cap.value);
      if (dangerousCapabilities.has(name)) ctx.report(cap.node, `adds the ${name} capability`);
    }
  },
};
