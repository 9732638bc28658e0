import { hardenedExample } from './hardened-example.js';
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
    good: hardenedExample({
      name: 'media',
      image: 'ghcr.io/example/media-server:4.2.0',
      set: { volumes: ['- /mnt/media:/media:ro # default propagation (rprivate): no mounts cross over'] },
    }),
  },
  check(ctx) {
    for (const mount of mountSpecs(ctx.service.node)) {
      const hit = mount.options.find((o) => sharing.has(o));
      if (hit) ctx.report(mount.optionsNode, `mount propagation is ${hit}`);
    }
  },
};
