import { topicMatches } from './model.js';

/**
 * Concrete topics for probes: inside a filter, just outside it, or inside two filters at once.
 * Every topic built here is checked against the filters it claims to be in (or out of) with
 * topicMatches, so an odd filter yields no candidate rather than a wrong one.
 */

/** What `+` becomes; `#` becomes `steward-check/<nonce>`. */
export const FILL = 'steward-check';
/** The level that replaces a literal one to step just outside a filter. */
export const OUTSIDE = 'steward-check-outside';

function fillLevel(level: string, nonce: string): string {
  if (level === '+') return FILL;
  if (level === '#') return `${FILL}/${nonce}`;
  return level;
}

/** A topic inside `filter`: `+` → steward-check, `#` → steward-check/<nonce>. */
export function concretize(filter: string, nonce: string): string {
  return filter
    .split('/')
    .map((l) => fillLevel(l, nonce))
    .join('/');
}

function valid(topic: string): boolean {
  return topic !== '' && !topic.includes('+') && !topic.includes('#');
}

function unique(topics: readonly string[]): string[] {
  return [...new Set(topics)];
}

/** Topics inside `filter`: the filled one, and for `a/#` the parent `a` (which `#` also matches). */
export function insideCandidates(filter: string, nonce: string): string[] {
  const out = [concretize(filter, nonce)];
  const levels = filter.split('/');
  if (levels.length > 1 && levels[levels.length - 1] === '#') {
    out.push(concretize(levels.slice(0, -1).join('/'), nonce));
  }
  return unique(out).filter((t) => valid(t) && topicMatches(filter, t));
}

/**
 * Topics just outside `filter`: a sibling (a literal level replaced, the last one first), one
 * level deeper, or the parent. `#` and `+/#` have none (only `$` topics, which are not probed).
 */
export function outsideCandidates(filter: string, nonce: string): string[] {
  const levels = filter.split('/');
  const out: string[] = [];
  for (let i = levels.length - 1; i >= 0; i--) {
    const level = levels[i]!;
    if (level === '+' || level === '#') continue;
    const copy = [...levels];
    copy[i] = level === OUTSIDE ? `${OUTSIDE}-2` : OUTSIDE;
    out.push(concretize(copy.join('/'), nonce));
  }
  if (levels[levels.length - 1] !== '#') {
    out.push(`${concretize(filter, nonce)}/${OUTSIDE}`);
    if (levels.length > 1) out.push(concretize(levels.slice(0, -1).join('/'), nonce));
  }
  return unique(out).filter((t) => valid(t) && !t.startsWith('$') && !topicMatches(filter, t));
}

/** A concrete topic both filters match, or null if they are disjoint. */
export function intersect(a: string, b: string, nonce: string): string | null {
  const A = a.split('/');
  const B = b.split('/');
  const out: string[] = [];
  for (let i = 0; i < Math.max(A.length, B.length); i++) {
    const x = A[i];
    const y = B[i];
    if (x === '#' || y === '#') {
      // `#` takes whatever the other filter still has, or nothing (it matches the parent too).
      const rest = (x === '#' ? B : A).slice(i);
      out.push(...rest.map((l) => fillLevel(l, nonce)));
      break;
    }
    if (x === undefined || y === undefined) return null;
    if (x === '+') out.push(y === '+' ? FILL : y);
    else if (y === '+' || x === y) out.push(x);
    else return null;
  }
  const topic = out.join('/');
  return valid(topic) && topicMatches(a, topic) && topicMatches(b, topic) ? topic : null;
}
