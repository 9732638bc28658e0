import { get, isTrue } from '../compose/nodes.js';
import type { Rule } from './types.js';
import { example } from './util.js';

export const readOnlyRootfs: Rule = {
  id: 'read-only-rootfs',
  title: 'Root filesystem is read-only',
  defaultSeverity: 'info',
  security: true,
  rationale:
    'A read-only root filesystem stops an intruder from dropping tools or changing binaries, and makes every place a service writes explicit (volumes, tmpfs).',
  hint: 'set `read_only: true` and give the paths the service writes a volume or `tmpfs:`',
  examples: {
    bad: example(`
      services:
        web:
          image: nginxinc/nginx-unprivileged:1.27.2-alpine
          read_only: false
    `),
    good: example(`
      services:
        web:
          image: nginxinc/nginx-unprivileged:1.27.2-alpine
          user: "101:101"
          read_only: true
          tmpfs:
            - /tmp # the pid file and request buffers; nothing else is writable
          cap_drop: [ALL]
          security_opt:
            - no-new-privileges:true
          ports:
            - "127.0.0.1:8080:8080"
          deploy:
            resources:
              limits:
                memory: 128M
                cpus: "0.5"
                pids: 200
          healthcheck:
            test: ["CMD", "wget", "-qO-", "http://127.0.0.1:8080/"]
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
    const ro = get(ctx.service.node, 'read_only');
    if (!ro) ctx.reportMissing('the root filesystem is writable (no read_only: true)');
    else if (!isTrue(ro)) ctx.report(ro, 'read_only is false');
  },
};
