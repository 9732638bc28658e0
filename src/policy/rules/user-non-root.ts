import { get, text } from '../compose/nodes.js';
import type { Rule } from './types.js';

export const userNonRoot: Rule = {
  id: 'user-non-root',
  title: 'Services run as a non-root user',
  defaultSeverity: 'warning',
  security: true,
  rationale:
    'Root in a container is root on the host once anything escapes (a kernel bug, a mounted socket, a writable host path); most images can run as an unprivileged user.',
  hint: 'set `user: "1000:1000"` (or the image\'s unprivileged user); keep root only where the image needs it, with an exception that says why',
  check(ctx) {
    const user = get(ctx.service.node, 'user');
    if (!user) {
      ctx.reportMissing(
        "no user: the container runs as the image's default user, which is root for most images",
      );
      return;
    }
    const value = (text(user) ?? '').trim();
    const name = value.split(':')[0] ?? '';
    if (name === 'root' || name === '0' || value === '') ctx.report(user, `runs as root (user: "${value}")`);
  },
};
