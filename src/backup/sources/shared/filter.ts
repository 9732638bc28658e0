import picomatch from 'picomatch';

/**
 * Include/exclude globs in the spirit of .gitignore: a pattern without '/' matches a name at
 * any depth ("*.tmp"), one with '/' matches the path from the source root ("logs/*.log"), a
 * leading '/' anchors a slash-less pattern to the root, and a trailing '/' matches only
 * directories — with everything under them ("cache/").
 */
export interface PathFilter {
  /** Excluded paths are skipped; an excluded directory is not entered. */
  excluded(relPath: string, isDirectory: boolean): boolean;
  /** With include patterns, only matching paths (and everything under a matching directory) are kept. */
  included(relPath: string, isDirectory: boolean): boolean;
  readonly hasIncludes: boolean;
}

type Matcher = (relPath: string, isDirectory: boolean) => boolean;

function compile(pattern: string): Matcher {
  const directoryOnly = pattern.endsWith('/');
  let glob = pattern.replace(/\/+$/, '');
  const anchored = glob.startsWith('/');
  if (anchored) glob = glob.replace(/^\/+/, '');
  const test = picomatch(glob, { dot: true, basename: !anchored && !glob.includes('/') });
  return (relPath, isDirectory) => (!directoryOnly || isDirectory) && test(relPath);
}

export function pathFilter(include: readonly string[] = [], exclude: readonly string[] = []): PathFilter {
  const includes = include.map(compile);
  const excludes = exclude.map(compile);
  return {
    hasIncludes: includes.length > 0,
    excluded: (relPath, isDirectory) => excludes.some((m) => m(relPath, isDirectory)),
    included: (relPath, isDirectory) =>
      includes.length === 0 || includes.some((m) => m(relPath, isDirectory)),
  };
}

/** Problems with a pattern list, for the config schema (empty patterns, '..' segments). */
export function globProblem(pattern: string): string | undefined {
  if (pattern.trim() === '' || pattern === '/') return 'expected a non-empty pattern';
  if (pattern.split('/').includes('..'))
    return 'patterns are relative to the source path; ".." is not allowed';
  return undefined;
}
