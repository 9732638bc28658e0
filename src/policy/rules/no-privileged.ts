import { get, isTrue } from '../compose/nodes.js';
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
    good: example(`
      services:
        zigbee:
          image: ghcr.io/example/zigbee-bridge:2.1.0
          user: "1000:1000"
          read_only: true
          volumes:
            - ./zigbee-data:/app/data
          cap_drop: [ALL]
          security_opt:
            - no-new-privileges:true
          devices:
            - /dev/ttyUSB0:/dev/ttyUSB0 # the one device, instead of privileged: true
          group_add:
            - dialout # the group that may open the serial device
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
          logging:
            driver: json-file
            options:
              max-size: "10m"
              max-file: "3"
    `),
  },
  check(ctx) {
    const privileged = get(ctx.service.node, 'privileged');
    if (isTrue(privileged) && privileged) ctx.report(privileged, 'runs privileged (privileged: true)');
  },
};
