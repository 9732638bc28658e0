import { get, isTrue } from '../compose/nodes.js';
import { hardenedExample } from './hardened-example.js';
import type { Rule } from './types.js';
import { example } from './util.js';

export const noPrivileged: Rule = {
  id: 'no-privileged',
  title: 'No privileged containers',
  defaultSeverity: 'error',
  security: true,
  rationale:
    'A privileged container has every capability, every device and no seccomp or AppArmor profile: it is root on the host.',
  hint: 'remove `privileged: true`; pass the one device with `devices:` and the one capability with `cap_add:`',
  examples: {
    bad: example(`
      services:
        zigbee:
          image: ghcr.io/example/zigbee-bridge:2.1.0
          privileged: true
    `),
    good: hardenedExample({
      name: 'zigbee',
      image: 'ghcr.io/example/zigbee-bridge:2.1.0',
      set: {
        tmpfs: null,
        volumes: ['- ./zigbee-data:/app/data'],
        devices: ['- /dev/ttyUSB0:/dev/ttyUSB0 # the one device, instead of privileged: true'],
        group_add: ['- dialout # the group that may open the serial device'],
      },
    }),
  },
  check(ctx) {
    const privileged = get(ctx.service.node, 'privileged');
    if (isTrue(privileged) && privileged) ctx.report(privileged, 'runs privileged (privileged: true)');
  },
};
