import { get, text } from '../compose/nodes.js';
import { hardenedExample } from './hardened-example.js';
import type { Rule } from './types.js';
import { example } from './util.js';

const namespaces = [
  { key: 'network_mode', aspect: 'network', what: 'the host network namespace' },
  { key: 'pid', aspect: 'pid', what: 'the host process namespace' },
  { key: 'ipc', aspect: 'ipc', what: 'the host IPC namespace' },
  { key: 'userns_mode', aspect: 'userns', what: 'the host user namespace' },
  { key: 'uts', aspect: 'uts', what: 'the host UTS namespace' },
  { key: 'cgroup', aspect: 'cgroup', what: 'the host cgroup namespace' },
] as const;

export const noHostNamespaces: Rule = {
  id: 'no-host-namespaces',
  title: 'No host namespaces',
  defaultSeverity: 'error',
  security: true,
  rationale:
    "Sharing the host network, PID, IPC or user namespace lets the container see and reach the host's processes, sockets and shared memory.",
  hint: 'remove the `…: host` setting; when multicast discovery (mDNS, KNX) needs host networking, record an exception with that reason',
  examples: {
    bad: example(`
      services:
        api:
          image: ghcr.io/example/api:2.4.1
          network_mode: host
          pid: host
    `),
    good: hardenedExample({
      set: { networks: ['- backend # its own network namespace, not network_mode: host'] },
      top: { networks: ['backend:'] },
    }),
  },
  check(ctx) {
    for (const ns of namespaces) {
      const node = get(ctx.service.node, ns.key);
      if (text(node)?.trim().toLowerCase() === 'host' && node) {
        ctx.report(node, `shares ${ns.what} (${ns.key}: host)`, ns.aspect);
      }
    }
  },
};
