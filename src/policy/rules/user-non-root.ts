import { get, text } from '../compose/nodes.js';
import { hardenedExample } from './hardened-example.js';
import type { Rule } from './types.js';
import { example } from './util.js';

export const userNonRoot: Rule = {
  id: 'user-non-root',
  title: 'Services run as a non-root user',
  defaultSeverity: 'warning',
  security: true,
  rationale:
    'Root in a container is root on the host once anything escapes (a kernel bug, a mounted socket, a writable host path); most images can run as an unprivileged user.',
  hint: 'set `user: "1000:1000"` (or the image\'s unprivileged user); keep root only where the image needs it, with an exception that says why',
  examples: {
    bad: example(`
      services:
        api:
          image: ghcr.io/example/api:2.4.1
          user: root
    `),
    good: hardenedExample({ comment: { user: 'an unprivileged uid:gid that owns nothing on the host' } }),
  },
  check(ctx) {
    const user = get(ctx.service.node, 'user');
    if (!user) {
      ctx.reportMissing(
        "no user: the container runs as the image's default user, which is root for most images",
      );
      return;
    }
    const raw = text(user);
    if (raw === undefined) return; // a mapping or list is invalid compose, not a root user
    const value = raw.trim();
    const name = value.split(':')[0] ?? '';
    if (name === 'root' || name === '0' || value === '') ctx.report(user, `runs as root (user: "${value}")`);
  },
};
