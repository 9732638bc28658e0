import type { ComposeProject } from '../compose/project.js';
import { hardenedExample } from './hardened-example.js';
import type { Rule } from './types.js';
import { example, type MountSpec, mountSpecs, normalHostPath } from './util.js';

function key(mount: MountSpec): string | undefined {
  if (!mount.source || mount.type === 'tmpfs') return undefined;
  return mount.type === 'bind' ? `bind:${normalHostPath(mount.source)}` : `volume:${mount.source}`;
}

function writable(mount: MountSpec): boolean {
  return !mount.options.includes('ro') && !mount.options.includes('readonly');
}

const writersCache = new WeakMap<ComposeProject, Map<string, string[]>>();

/** Mount key → services writing it, once per project (per service it would be quadratic). */
function writersOf(project: ComposeProject): Map<string, string[]> {
  let writers = writersCache.get(project);
  if (writers) return writers;
  writers = new Map();
  for (const service of project.services) {
    for (const mount of mountSpecs(service.node)) {
      const k = key(mount);
      // Only another writer counts: one writer beside read-only readers is the recommended form.
      if (!k || !writable(mount)) continue;
      const list = writers.get(k) ?? [];
      if (!list.includes(service.name)) list.push(service.name);
      writers.set(k, list);
    }
  }
  writersCache.set(project, writers);
  return writers;
}

export const sharedVolumes: Rule = {
  id: 'shared-volumes',
  title: 'No writable volume shared between services',
  defaultSeverity: 'info',
  security: true,
  rationale:
    'A directory two services both write can be corrupted by either, and lets a compromised service plant files the other one reads or runs.',
  hint: 'give each service its own volume, or mount it read-only (`:ro`) in every service but the writer',
  examples: {
    bad: example(`
      services:
        app:
          image: ghcr.io/example/app:1.8.0
          volumes:
            - uploads:/app/uploads
        scanner:
          image: ghcr.io/example/scanner:0.4.1
          volumes:
            - uploads:/scan
      volumes:
        uploads:
    `),
    good: hardenedExample({
      name: 'app',
      image: 'ghcr.io/example/app:1.8.0',
      set: { volumes: ['- uploads:/app/uploads # the one writer'] },
      services: [
        {
          name: 'scanner',
          image: 'ghcr.io/example/scanner:0.4.1',
          port: null,
          healthcheck: { test: ['CMD', '/scanner', 'health'] },
          set: { volumes: ['- uploads:/scan:ro # reads what app wrote, cannot change it'] },
        },
      ],
      top: { volumes: ['uploads:'] },
    }),
  },
  check(ctx) {
    const writers = writersOf(ctx.project);
    for (const mount of mountSpecs(ctx.service.node)) {
      const k = key(mount);
      const other = k ? writers.get(k)?.find((name) => name !== ctx.service.name) : undefined;
      if (other && writable(mount))
        ctx.report(mount.node, `${mount.source} is also written by ${other}, and writable here`);
    }
  },
};
