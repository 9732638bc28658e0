import { get, text } from '../compose/nodes.js';
import { hardenedExample, unprivilegedWeb } from './hardened-example.js';
import type { Rule } from './types.js';
import { example } from './util.js';

/** Tags that move: pinning to one of them pins nothing (the --fix pin avoids them too). */
export const movingTags = new Set([
  'latest',
  'stable',
  'edge',
  'main',
  'master',
  'nightly',
  'dev',
  'develop',
  'beta',
  'rolling',
]);

/** Splits "registry:5000/name:tag@sha256:…" into its tag and digest. */
export function imageReference(image: string): {
  name: string;
  tag: string | undefined;
  digest: string | undefined;
} {
  const at = image.indexOf('@');
  const digest = at === -1 ? undefined : image.slice(at + 1);
  const withoutDigest = at === -1 ? image : image.slice(0, at);
  const slash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  if (colon > slash)
    return { name: withoutDigest.slice(0, colon), tag: withoutDigest.slice(colon + 1), digest };
  return { name: withoutDigest, tag: undefined, digest };
}

export const imagePinned: Rule = {
  id: 'image-pinned',
  title: 'Images are pinned',
  defaultSeverity: 'warning',
  security: true,
  rationale:
    'A missing or moving tag (latest, stable, main…) means the next pull deploys code nobody reviewed, and a rollback cannot return to what ran before.',
  hint: 'pin a version tag (nginx:1.27.2); the strict profile also wants the digest (nginx:1.27.2@sha256:…)',
  autoFix: {
    what: 'partly: `steward lint --fix` pins to the tag already running, when Docker knows it',
    partial: true,
  },
  examples: {
    bad: example(`
      services:
        web:
          image: nginx
        cache:
          image: redis:latest
    `),
    good: hardenedExample({ ...unprivilegedWeb, comment: { image: 'strict also wants @sha256:…' } }),
  },
  check(ctx) {
    const node = get(ctx.service.node, 'image');
    const image = text(node)?.trim();
    if (!node || image === undefined) return; // build-only services have nothing to pin
    if (image === '') {
      ctx.report(node, 'image is empty (an unset variable?)');
      return;
    }
    const ref = imageReference(image);
    if (ref.digest) return;
    if (ref.tag === undefined) ctx.report(node, `image ${image} has no tag (means latest)`, 'tag');
    else if (movingTags.has(ref.tag.toLowerCase()))
      ctx.report(node, `image ${image} uses the moving tag "${ref.tag}"`, 'tag');
    else if (ctx.profile === 'strict') ctx.report(node, `image ${image} is not pinned by digest`, 'digest');
  },
};
