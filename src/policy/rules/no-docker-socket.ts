import { hardenedExample } from './hardened-example.js';
import type { Rule } from './types.js';
import { example, mountSpecs, normalHostPath } from './util.js';

/** Exported so no-sensitive-host-mounts leaves these to this rule (one finding per mount). */
export const engineSockets = new Set([
  '/var/run/docker.sock',
  '/run/docker.sock',
  '/var/run/containerd/containerd.sock',
  '/run/containerd/containerd.sock',
  '/var/run/podman/podman.sock',
  '/run/podman/podman.sock',
  '/var/run',
  '/run',
]);

export const noDockerSocket: Rule = {
  id: 'no-docker-socket',
  title: 'The Docker socket is not mounted',
  defaultSeverity: 'error',
  security: true,
  rationale:
    'Whoever can write to the Docker socket can start a privileged container with / mounted: mounting it, even read-only, hands the host to the service.',
  hint: 'remove the mount; if the service must watch containers, give it a filtering socket proxy (e.g. tecnativa/docker-socket-proxy) with read-only endpoints',
  examples: {
    bad: example(`
      services:
        dashboard:
          image: ghcr.io/example/dashboard:3.0.2
          volumes:
            - /var/run/docker.sock:/var/run/docker.sock:ro
    `),
    good: hardenedExample({
      name: 'dashboard',
      image: 'ghcr.io/example/dashboard:3.0.2',
      set: {
        environment: [
          '# a filtering proxy (e.g. tecnativa/docker-socket-proxy) answering read-only endpoints',
          'DOCKER_HOST: tcp://docker-proxy:2375',
        ],
      },
    }),
  },
  check(ctx) {
    for (const mount of mountSpecs(ctx.service.node)) {
      if (mount.type !== 'bind' || !mount.source) continue;
      const source = normalHostPath(mount.source);
      if (engineSockets.has(source))
        ctx.report(mount.sourceNode, `mounts the container engine socket (${source})`);
    }
  },
};
