import type { Rule } from './types.js';
import { mountSpecs, normalHostPath } from './util.js';

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
];
// Handled by no-docker-socket, so it is reported once.
const sockets = /^\/(var\/)?run(\/|$)/;

export const noSensitiveHostMounts: Rule = {
  id: 'no-sensitive-host-mounts',
  title: 'No sensitive host directories mounted',
  defaultSeverity: 'error',
  security: true,
  rationale:
    "Mounting /, /etc, /proc, /sys, /boot, /root or /var/lib/docker gives the container the host's credentials, kernel knobs or other containers' data.",
  hint: 'mount only the directory the service needs (read-only where it can), never a system directory',
  check(ctx) {
    for (const mount of mountSpecs(ctx.service.node)) {
      if (mount.type !== 'bind' || !mount.source?.startsWith('/')) continue;
      const source = normalHostPath(mount.source);
      if (sockets.test(source)) continue;
      const hit = sensitive.find((dir) => source === dir || (dir !== '/' && source.startsWith(`${dir}/`)));
      if (hit) ctx.report(mount.sourceNode, `mounts the sensitive host path ${source}`);
    }
  },
};
