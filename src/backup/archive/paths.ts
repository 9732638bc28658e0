import { StewardError } from '../../core/errors.js';

/**
 * Validate a path Steward is about to write into an archive: relative, POSIX separators,
 * no empty, '.' or '..' segments. Writing a path we would refuse to extract makes no sense.
 */
export function assertArchivePath(archivePath: string): void {
  const bad = (why: string) =>
    new StewardError('E_INTERNAL', `invalid archive path ${JSON.stringify(archivePath)}: ${why}`);
  if (archivePath === '') throw bad('empty');
  if (archivePath.includes('\0')) throw bad('contains NUL');
  if (archivePath.startsWith('/')) throw bad('absolute');
  for (const seg of archivePath.split('/')) {
    if (seg === '' || seg === '.' || seg === '..') throw bad(`segment ${JSON.stringify(seg)}`);
  }
}

/**
 * Split a path read from an archive into segments, dropping '.' and empty ones (`./a//b/`
 * is `a/b`, as tar reads it). Returns null for an absolute path or one with a '..' segment,
 * which the caller refuses. An empty array is the archive root.
 */
export function splitEntryPath(name: string): string[] | null {
  if (name.startsWith('/') || name.includes('\0')) return null;
  const segments: string[] = [];
  for (const seg of name.split('/')) {
    if (seg === '..') return null;
    if (seg !== '' && seg !== '.') segments.push(seg);
  }
  return segments;
}
