import { StewardError } from '../../core/errors.js';

/** Safe as one path segment: no separators, no dot-names (which also keeps `.tmp-*` ours). */
const VERSION_RE = /^[A-Za-z0-9._-]{1,128}$/;

export function isValidVersion(version: string): boolean {
  return VERSION_RE.test(version) && !version.startsWith('.');
}

export function assertValidVersion(version: string): void {
  if (isValidVersion(version)) return;
  throw new StewardError('E_USAGE', `invalid release version ${JSON.stringify(version)}`, {
    hint: 'use 1-128 characters from A-Z a-z 0-9 . _ - not starting with a dot, e.g. 1.4.2 or 2024-06-01_abc123',
  });
}
