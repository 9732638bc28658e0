import type { StatsFs } from 'node:fs';
import { statfs } from 'node:fs/promises';

export interface FilesystemStat {
  mountpoint: string;
  sizeBytes: number;
  /** Space an unprivileged user can still write (excludes the root reserve). */
  availBytes: number;
  freeBytes: number;
  files: number;
  filesFree: number;
}

/** Turns a statfs result into bytes and inode counts. */
export function fromStatfs(mountpoint: string, s: StatsFs): FilesystemStat {
  return {
    mountpoint,
    sizeBytes: s.blocks * s.bsize,
    availBytes: s.bavail * s.bsize,
    freeBytes: s.bfree * s.bsize,
    files: s.files,
    filesFree: s.ffree,
  };
}

/** statfs(2) on a path; rejects when the path does not exist or cannot be reached. */
export async function statFilesystem(mountpoint: string): Promise<FilesystemStat> {
  return fromStatfs(mountpoint, await statfs(mountpoint));
}
