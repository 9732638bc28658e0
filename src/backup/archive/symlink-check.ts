import { lstat, readlink } from 'node:fs/promises';
import path from 'node:path';

/** Same limit as Linux's MAXSYMLINKS. */
const MAX_HOPS = 40;

/**
 * Lexical check of a symlink target against the tree it will live in: `linkDir` is the
 * link's parent (segments below the root). False for absolute targets and ones whose '..'
 * climb above the root.
 */
export function lexicallyInside(linkDir: readonly string[], target: string): boolean {
  if (target.startsWith('/')) return false;
  const stack = [...linkDir];
  for (const seg of target.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (stack.length === 0) return false;
      stack.pop();
    } else stack.push(seg);
  }
  return true;
}

/**
 * Resolve a symlink target inside `root` the way the kernel would, following links already
 * in the tree, and report whether it stays inside. The lexical check alone is not enough:
 * `l -> .` and `m -> l/..` each look harmless, but `m` points at root's parent. Missing
 * components are taken lexically (the most a later file could make of them is a
 * directory inside the root). Loops count as escaping: we cannot prove where they go.
 */
export async function resolvesInside(
  root: string,
  linkDir: readonly string[],
  target: string,
): Promise<boolean> {
  const stack = [...linkDir];
  const queue = target.split('/');
  if (target.startsWith('/')) return false;
  let hops = 0;
  while (queue.length > 0) {
    const seg = queue.shift()!;
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (stack.length === 0) return false;
      stack.pop();
      continue;
    }
    stack.push(seg);
    const here = path.join(root, ...stack);
    const st = await lstat(here).catch(() => null);
    if (!st?.isSymbolicLink()) continue;
    if (++hops > MAX_HOPS) return false;
    const next = await readlink(here);
    if (next.startsWith('/')) return false;
    stack.pop();
    queue.unshift(...next.split('/'));
  }
  return true;
}
