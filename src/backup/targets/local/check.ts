import { constants, type Stats } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { TargetReadiness } from '../../types.js';
import { errnoCode } from './errors.js';

async function statOrNull(p: string): Promise<Stats | null> {
  try {
    return await stat(p);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return null;
    throw err;
  }
}

/**
 * A mount point sits on another device than its parent. (A bind mount of the same file
 * system is not detected; USB disks, the case this is for, always have their own device.)
 */
export async function isMountPoint(dir: string, st: Stats): Promise<boolean> {
  const parent = path.dirname(dir);
  if (parent === dir) return true; // "/" is always mounted
  const parentStat = await stat(parent);
  return parentStat.dev !== st.dev;
}

const notReady = (reason: string): TargetReadiness => ({ ready: false, reason });

/**
 * Pre-flight check of a local target. With `requireMount` it never creates or writes
 * anything: an unmounted USB disk leaves an empty directory on the root file system, and
 * archives written there would fill it and be mistaken for off-machine copies.
 */
export async function checkLocalDir(dir: string, requireMount: boolean): Promise<TargetReadiness> {
  try {
    let st = await statOrNull(dir);
    if (requireMount) {
      if (st === null) return notReady(`${dir} does not exist; is the USB disk plugged in and mounted?`);
      if (!st.isDirectory()) return notReady(`${dir} is not a directory`);
      if (!(await isMountPoint(dir, st))) {
        return notReady(
          `${dir} is not a mount point (same device as its parent); is the USB disk plugged in and mounted?`,
        );
      }
    } else if (st === null) {
      const parent = path.dirname(dir);
      if (!(await statOrNull(parent))?.isDirectory()) {
        return notReady(`${dir} does not exist, nor does its parent directory ${parent}`);
      }
      try {
        await mkdir(dir, { mode: 0o700 }); // archives are private
      } catch (err) {
        if (errnoCode(err) !== 'EEXIST') throw err;
      }
      st = await stat(dir);
    }
    if (!st.isDirectory()) return notReady(`${dir} is not a directory`);
    try {
      await access(dir, constants.W_OK | constants.X_OK);
    } catch (err) {
      return notReady(`${dir} is not writable (${errnoCode(err) ?? (err as Error).message})`);
    }
    return { ready: true };
  } catch (err) {
    return notReady(`cannot use ${dir}: ${(err as Error).message}`);
  }
}
