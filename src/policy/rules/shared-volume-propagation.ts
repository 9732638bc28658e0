import type { Rule } from './types.js';
import { example, mountSpecs } from './util.js';

const sharing = new Set(['shared', 'rshared', 'slave', 'rslave']);

export const sharedVolumePropagation: Rule = {
  id: 'shared-volume-propagation',
  title: 'Bind mounts do not propagate',
  defaultSeverity: 'warning',
  security: true,
  rationale:
    "Shared or slave propagation lets mounts made inside the container appear on the host (or the host's in the container), crossing the isolation boundary.",
  hint: 'drop the propagation option (the default, rprivate, is right for almost every service)',
  examples: {
    bad: example(`
      services:
        media:
          image: ghcr.io/example/media-server:4.2.0
          volumes:
            - /mnt/media:/media:rshared
    `),
    good: example(`
      services:
        media:
          image: ghcr.io/example/media-server:4.2.0
          user: "1000:1000"
          read_only: true
          tmpfs:
            - /tmp
          volumes:
            - /mnt/media:/media:ro # default propagation (rprivate): no mounts cross over
          cap_drop: [ALL]
          security_opt:
            - no-new-privileges:true
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
    for (const mount of mountSpecs(ctx.service.node)) {
      const hit = mount.options.find((o) => sharing.has(o));
      if (hit) ctx.report(mount.optionsNode, `mount propagation is ${hit}`);
    }
  },
};
