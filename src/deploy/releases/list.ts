import fs from 'node:fs';
import path from 'node:path';
import { currentVersion } from './current.js';
import { assertKeep, type ReleaseLayout, tmpName } from './layout.js';
import { isValidVersion } from './version.js';

export interface ReleaseInfo {
  version: string;
  path: string;
  mtime: Date;
  current: boolean;
}

/** Installed releases, newest first by mtime (install time); ties by version, descending. */
export function listReleases(layout: ReleaseLayout): ReleaseInfo[] {
  const releasesDir = path.resolve(layout.releasesDir);
  let names: string[];
  try {
    names = fs.readdirSync(releasesDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const active = currentVersion(layout);
  const releases: ReleaseInfo[] = [];
  for (const version of names) {
    // Dot names are staging dirs; anything else not a valid version was not put there by us.
    if (!isValidVersion(version)) continue;
    const p = path.join(releasesDir, version);
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!st?.isDirectory()) continue;
    releases.push({ version, path: p, mtime: st.mtime, current: version === active });
  }
  return releases.sort((a, b) => b.mtime.getTime() - a.mtime.getTime() || (a.version < b.version ? 1 : -1));
}

/**
 * Remove the releases beyond the newest `keep`, sparing the current one and those in `protect`
 * (the previous Live release, kept for rollback). Each is first renamed to a staging name, so a
 * crash mid-removal leaves a `.tmp-*` for the next install to clean, never a half-deleted release.
 */
export function pruneReleases(layout: ReleaseLayout, protect: string[] = []): string[] {
  assertKeep(layout.keep);
  const spared = new Set(protect);
  const removed: string[] = [];
  for (const release of listReleases(layout).slice(layout.keep)) {
    if (release.current || spared.has(release.version)) continue;
    const doomed = path.join(path.dirname(release.path), tmpName(release.version));
    fs.renameSync(release.path, doomed);
    fs.rmSync(doomed, { recursive: true, force: true });
    removed.push(release.version);
  }
  return removed;
}
