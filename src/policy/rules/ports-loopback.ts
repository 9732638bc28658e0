import { hardenedExample } from './hardened-example.js';
import type { Rule } from './types.js';
import { example, portSpecs } from './util.js';

const everyInterface = new Set(['0.0.0.0', '::', '[::]', '']);

export const portsLoopback: Rule = {
  id: 'ports-loopback',
  title: 'Published ports bind to a host address',
  defaultSeverity: 'warning',
  security: true,
  rationale:
    "A port published without a host address listens on every interface, and Docker's own iptables rules put it in front of the host firewall (ufw does not see it).",
  hint: 'publish as "127.0.0.1:8080:80" and put a reverse proxy in front; mark a service meant for the network public (label steward.public: "true")',
  examples: {
    bad: example(`
      services:
        api:
          image: ghcr.io/example/api:2.4.1
          ports:
            - "8080:8080"
    `),
    good: hardenedExample({ comment: { ports: 'this host and its reverse proxy only' } }),
  },
  check(ctx) {
    if (ctx.isPublic) return;
    for (const port of portSpecs(ctx.service.node)) {
      if (!port.published) continue;
      if (port.hostIp === undefined || everyInterface.has(port.hostIp)) {
        ctx.report(port.node, `port published on every interface${port.hostIp ? ` (${port.hostIp})` : ''}`);
      }
    }
  },
};
