import { StewardError } from '../../core/errors.js';

/** Suffix of an object while it is being written; never listed as a completed object. */
export const PARTIAL_SUFFIX = '.partial';

export function partialName(name: string): string {
  return `${name}${PARTIAL_SUFFIX}`;
}

export function isPartialName(name: string): boolean {
  return name.endsWith(PARTIAL_SUFFIX);
}

/**
 * Object names are plain file names: the engine never needs directories, and refusing
 * separators keeps a name from escaping the target's directory or remote path.
 */
export function assertObjectName(target: string, name: string): void {
  const bad =
    name === '' ||
    name === '.' ||
    name === '..' ||
    name.includes('/') ||
    name.includes('\\') ||
    name.includes('\0') ||
    name.startsWith('-') ||
    isPartialName(name);
  if (bad) {
    throw new StewardError('E_USAGE', `target ${target}: invalid object name ${JSON.stringify(name)}`, {
      hint: 'object names are plain file names without "/", not starting with "-", not ending in .partial',
    });
  }
}
