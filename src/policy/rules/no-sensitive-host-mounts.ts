import { hardenedExample } from './hardened-example.js';
import { engineSockets } from './no-docker-socket.js';
import type { Rule } from './types.js';
import { example, mountSpecs, normalHostPath } from './util.js';

const sensitive = [
  '/',
  '/etc',
  '/proc',
  '/sys',
  '/boot',
  '/dev',
  '/root',
  '/var/lib/docker',
  '/var/lib/containerd',
  '/var/lib/kubelet',
  '/usr',
  '/lib',
  '/bin',
  '/sbin',
  '/var/log',
  '/home',
  // Runtime sockets and state of host daemons (containerd, systemd, dbus).
  '/run',
  '/var/run',
];

/**
 * Read-only mounts that every other stack has and that give nothing away: the host's time
 * zone and its CA certificates.
 */
const harmlessReadOnly = [
  '/etc/localtime',
  '/etc/timezone',
  '/usr/share/zoneinfo',
  '/etc/ssl/certs',
  '/etc/ca-certificates',
  '/etc/pki/ca-trust',
];

export const noSensitiveHostMounts: Rule = {
  id: 'no-sensitive-host-mounts',
  title: 'No sensitive host directories mounted',
  defaultSeverity: 'error',
  security: true,
  rationale:
    "Mounting /, /etc, /proc, /sys, /boot, /root or /var/lib/docker gives the container the host's credentials, kernel knobs or other containers' data.",
  hint: 'mount only the directory the service needs (read-only where it can), never a system directory; /etc/localtime, /etc/timezone and the CA certificates may be mounted read-only',
  examples: {
    bad: example(`
      services:
        agent:
          image: ghcr.io/example/agent:0.9.0
          volumes:
            - /:/host:ro
            - /etc:/host-etc
    `),
    good: hardenedExample({
      name: 'agent',
      image: 'ghcr.io/example/agent:0.9.0',
      set: {
        volumes: [
          '- ./agent/config.yaml:/etc/agent/config.yaml:ro # only the file it reads',
          '- agent-data:/var/lib/agent',
        ],
      },
      top: { volumes: ['agent-data:'] },
    }),
  },
  check(ctx) {
    for (const mount of mountSpecs(ctx.service.node)) {
      if (mount.type !== 'bind' || !mount.source?.startsWith('/')) continue;
      const source = normalHostPath(mount.source);
      if (engineSockets.has(source)) continue; // no-docker-socket reports it
      const readOnly = mount.options.includes('ro') || mount.options.includes('readonly');
      if (readOnly && harmlessReadOnly.some((p) => source === p || source.startsWith(`${p}/`))) continue;
      const hit = sensitive.find((dir) => source === dir || (dir !== '/' && source.startsWith(`${dir}/`)));
      if (hit) ctx.report(mount.sourceNode, `mounts the sensitive host path ${source}`);
    }
  },
};
