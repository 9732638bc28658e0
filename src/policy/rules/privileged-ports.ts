import { hardenedExample, unprivilegedWeb } from './hardened-example.js';
import type { Rule } from './types.js';
import { example, portSpecs } from './util.js';

export const privilegedPorts: Rule = {
  id: 'privileged-ports',
  title: 'No privileged host ports',
  defaultSeverity: 'info',
  security: true,
  rationale:
    "A service listening on a port below 1024 inside the container needs root or NET_BIND_SERVICE, which undoes a non-root user and cap_drop: [ALL]; host ports below 1024 collide with the host's own daemons.",
  hint: 'let the service listen on a port ≥ 1024 (most images have a setting) and publish that; give the reverse proxy owning 80/443 an exception',
  examples: {
    bad: example(`
      services:
        web:
          image: nginx:1.27.2
          ports:
            - "127.0.0.1:80:80"
    `),
    good: hardenedExample({
      ...unprivilegedWeb,
      comment: { ports: 'the image listens on 8080: no root, no NET_BIND_SERVICE' },
    }),
  },
  check(ctx) {
    for (const port of portSpecs(ctx.service.node)) {
      const privileged = (p: number | undefined) => p !== undefined && p > 0 && p < 1024;
      if (privileged(port.containerPort)) {
        ctx.report(
          port.node,
          `publishes the privileged container port ${port.containerPort}: the service needs root or NET_BIND_SERVICE to listen on it`,
        );
      } else if (privileged(port.hostPort)) {
        ctx.report(port.node, `publishes on the privileged host port ${port.hostPort}`);
      }
    }
  },
};
