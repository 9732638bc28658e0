import { imageReference, movingTags as moving } from '../rules/image-pinned.js';
import { explicitEntry, type ServiceSite } from './locate.js';
import type { RunningImages } from './running-images.js';
import type { Edit } from './text.js';

const validTag = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Docker Hub names the way `docker images` prints them, so `docker.io/library/nginx` matches `nginx`. */
export function familiarName(name: string): string {
  let n = name.toLowerCase();
  for (const prefix of ['docker.io/', 'index.docker.io/', 'registry-1.docker.io/']) {
    if (n.startsWith(prefix)) {
      n = n.slice(prefix.length);
      break;
    }
  }
  return n.startsWith('library/') && n.split('/').length === 2 ? n.slice('library/'.length) : n;
}

/**
 * The tag to pin `image` to among the repo tags of the image running now: same repository, not a
 * moving tag; the most specific first (1.27.2 before 1.27 before 1), then by name for a stable choice.
 */
export function chooseTag(image: string, repoTags: readonly string[]): string | undefined {
  const want = familiarName(imageReference(image).name);
  const tags = repoTags.flatMap((t) => {
    const ref = imageReference(t);
    if (ref.digest || ref.tag === undefined || familiarName(ref.name) !== want) return [];
    return validTag.test(ref.tag) && !moving.has(ref.tag.toLowerCase()) ? [ref.tag] : [];
  });
  const parts = (t: string) => t.split(/[.-]/).length;
  tags.sort((a, b) => parts(b) - parts(a) || b.length - a.length || (a < b ? -1 : a > b ? 1 : 0));
  return tags[0];
}

export interface PinContext {
  text: string;
  site: ServiceSite;
  /** Where the finding points: it must be this file's `image:` value itself. */
  offset: number;
  line: number;
}

/** Replaces the tag inside the image scalar's text, keeping its quotes; nothing when unknown. */
export async function imagePinFix(ctx: PinContext, running: RunningImages): Promise<Edit | undefined> {
  const { text, site } = ctx;
  const node = explicitEntry(site.map, 'image')?.value;
  if (node?.kind !== 'scalar' || node.start !== ctx.offset || site.doc.shared(node)) return undefined;
  // `${IMAGE}` is not the image's text; a variable is the author's way of choosing the tag.
  if (typeof node.value !== 'string' || node.value.includes('$')) return undefined;
  const quote =
    node.style === 'double' ? '"' : node.style === 'single' ? "'" : node.style === 'plain' ? '' : null;
  if (quote === null) return undefined;
  const start = node.start + quote.length;
  const end = node.end - quote.length;
  // Escapes or folding would make the text differ from the value: leave such a scalar alone.
  if (text.slice(start, end) !== node.value) return undefined;
  if (quote && (text[node.start] !== quote || text[node.end - 1] !== quote)) return undefined;
  const image = node.value.trim();
  const ref = imageReference(image);
  if (image !== node.value || image === '' || ref.digest) return undefined;
  let tags: string[];
  try {
    tags = await running.tagsFor(site.name, image);
  } catch {
    return undefined; // not known is not an error: no fix
  }
  const tag = chooseTag(image, tags);
  if (!tag) return undefined;
  return {
    start,
    end,
    text: `${ref.name}:${tag}`,
    rank: 0,
    applied: { ruleId: 'image-pinned', service: site.name, line: ctx.line },
  };
}
