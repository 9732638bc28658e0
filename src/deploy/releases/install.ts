import { chmod, lstat, mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { StewardError } from '../../core/errors.js';
import { type ReleaseLayout, releasePath, TMP_PREFIX, tmpName, tmpOwnerPid } from './layout.js';
import { copyTree, fsyncDir, fsyncTree, hashTree } from './tree.js';
import { unpackTarball } from './unpack.js';

const ifMissing =
  <T>(value: T) =>
  (err: NodeJS.ErrnoException): T => {
    if (err.code === 'ENOENT') return value;
    throw err;
  };

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove staging leftovers of crashed installs and prunes. A staging dir whose owner process is
 * still alive belongs to an install in progress (another steward or this one) and is spared.
 */
export async function removeStaleTmp(releasesDir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(releasesDir).catch(ifMissing([] as string[]))) {
    if (!name.startsWith(TMP_PREFIX)) continue;
    const pid = tmpOwnerPid(name);
    if (pid !== null && processAlive(pid)) continue;
    await rm(path.join(releasesDir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** The existing release at `final` is reused when its content matches, refused otherwise. */
async function reuseExisting(final: string, version: string, stagedHash: string): Promise<string> {
  const st = await lstat(final);
  if (!st.isDirectory() || (await hashTree(final)) !== stagedHash) {
    throw new StewardError('E_CONFLICT', `release ${version} already exists with different content`, {
      hint: `give the new build a new version, or remove ${final} if it is not the current release`,
    });
  }
  // Installing it again makes it the newest release, so pruning does not take it next.
  const now = new Date();
  await utimes(final, now, now);
  return final;
}

async function stage(source: string, tmp: string): Promise<void> {
  const st = await stat(source).catch(ifMissing(null));
  if (st === null) throw new StewardError('E_NOT_FOUND', `release source not found: ${source}`);
  if (st.isDirectory()) await copyTree(source, tmp);
  else if (st.isFile()) await unpackTarball(source, tmp);
  else throw new StewardError('E_USAGE', `release source is neither a directory nor a file: ${source}`);
  // The service user (often a DynamicUser) must be able to read the release.
  await chmod(tmp, 0o755);
}

/**
 * Put `source` (a directory or a tarball) at releasesDir/<version>. It is staged under a dot
 * name, fsynced, then renamed into place, so the final name only ever holds a complete release;
 * a crash leaves a `.tmp-*` that the next call removes. The same version with the same content
 * is reused; with different content it is a conflict (a version names one build).
 */
export async function installRelease(
  layout: ReleaseLayout,
  version: string,
  source: string,
): Promise<string> {
  const final = releasePath(layout, version);
  const releasesDir = path.dirname(final);
  await mkdir(releasesDir, { recursive: true, mode: 0o755 });
  await removeStaleTmp(releasesDir);

  const tmp = path.join(releasesDir, tmpName(version));
  try {
    await stage(source, tmp);
    const hash = await hashTree(tmp);
    if ((await lstat(final).catch(ifMissing(null))) !== null)
      return await reuseExisting(final, version, hash);
    // The release's mtime is its install time: listing and pruning order by it.
    const now = new Date();
    await utimes(tmp, now, now);
    await fsyncTree(tmp);
    try {
      await rename(tmp, final);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Another installer got there first: same rules as if it had been there all along.
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') {
        return await reuseExisting(final, version, hash);
      }
      throw err;
    }
    await fsyncDir(releasesDir);
    return final;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
