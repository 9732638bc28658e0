import { entry } from '../compose/nodes.js';
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
    good: example(`
      services:
        api:
          image: ghcr.io/example/api:2.4.1
          user: "1000:1000"
          read_only: true
          tmpfs:
            - /tmp
          cap_drop: [ALL]
          security_opt:
            - no-new-privileges:true # setuid binaries cannot raise privileges
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
