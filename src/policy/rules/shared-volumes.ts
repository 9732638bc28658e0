import type { Rule } from './types.js';
import { type MountSpec, mountSpecs, normalHostPath } from './util.js';

function key(mount: MountSpec): string | undefined {
  if (!mount.source || mount.type === 'tmpfs') return undefined;
  return mount.type === 'bind' ? `bind:${normalHostPath(mount.source)}` : `volume:${mount.source}`;
}

function writable(mount: MountSpec): boolean {
  return !mount.options.includes('ro') && !mount.options.includes('readonly');
}

export const sharedVolumes: Rule = {
  id: 'shared-volumes',
  title: 'No writable volume shared between services',
  defaultSeverity: 'info',
  security: true,
  rationale:
    'A directory two services both write can be corrupted by either, and lets a compromised service plant files the other one reads or runs.',
  hint: 'give each service its own volume, or mount it read-only (`:ro`) in every service but the writer',
  check(ctx) {
    const others = new Map<string, string>();
    for (const service of ctx.project.services) {
      if (service.name === ctx.service.name) continue;
      for (const mount of mountSpecs(service.node)) {
        const k = key(mount);
        if (k && !others.has(k)) others.set(k, service.name);
      }
    }
    for (const mount of mountSpecs(ctx.service.node)) {
      const k = key(mount);
      const other = k ? others.get(k) : undefined;
      if (other && writable(mount))
        ctx.report(mount.node, `${mount.source} is also mounted by ${other}, and writable here`);
    }
  },
};
