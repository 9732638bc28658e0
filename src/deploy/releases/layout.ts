import path from 'node:path';
import { StewardError } from '../../core/errors.js';
import { assertValidVersion } from './version.js';

export interface ReleaseLayout {
  /** Holds one directory per version. */
  releasesDir: string;
  /** The stable symlink services run from; points at releasesDir/<version>. */
  current: string;
  /** How many releases pruning keeps (the current one and protected ones are kept regardless). */
  keep: number;
}

export function releasePath(layout: ReleaseLayout, version: string): string {
  assertValidVersion(version);
  return path.join(path.resolve(layout.releasesDir), version);
}

/** Staging names start with a dot, which no valid version does, so listing never sees them. */
export const TMP_PREFIX = '.tmp-';

/** `.tmp-<version>-<pid>-<random>`: the pid lets cleanup spare a staging dir that is still being written. */
export function tmpName(version: string): string {
  const random = Math.random().toString(16).slice(2, 10);
  return `${TMP_PREFIX}${version}-${process.pid}-${random}`;
}

export function tmpOwnerPid(name: string): number | null {
  const m = /-(\d+)-[0-9a-f]+$/.exec(name);
  return m?.[1] === undefined ? null : Number(m[1]);
}

export function assertKeep(keep: number): void {
  if (!Number.isInteger(keep) || keep < 0) {
    throw new StewardError('E_USAGE', `invalid release keep count: ${keep}`, {
      hint: 'keep must be a whole number ≥ 0 (the current release is always kept)',
    });
  }
}
