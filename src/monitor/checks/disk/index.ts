import { statFilesystem } from '../../host/filesystems.js';
import type { CheckDriver, ProbeResult, ProbeStatus } from '../types.js';
import type { DiskCheckConfig, FreeThreshold } from './schema.js';

export { type DiskCheckConfig, diskCheckSchema } from './schema.js';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** "3.1 GiB", "29 GiB", "512 B": two significant figures are what a person compares. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = unit === 0 || value >= 10 ? String(Math.round(value)) : value.toFixed(1);
  return `${shown} ${UNITS[unit]}`;
}

const percent = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;
const rounded = (ratio: number) => Math.round(ratio * 10_000) / 10_000;
const rank: Record<ProbeStatus, number> = { up: 0, degraded: 1, down: 2 };

/** Which level `free` has fallen under, if any: critical first, it is the one that matters. */
function level(
  isBelow: (t: FreeThreshold) => boolean,
  warn: FreeThreshold,
  critical: FreeThreshold,
): { status: ProbeStatus; note: string } | null {
  if (isBelow(critical)) return { status: 'down', note: `under the ${critical.text} critical level` };
  if (isBelow(warn)) return { status: 'degraded', note: `under the ${warn.text} warning level` };
  return null;
}

/**
 * statfs(2) on the path: no child process and no file is opened, so the probe cannot hang on a
 * healthy mount (a dead NFS server can still stall statfs; the scheduler's timeout covers that).
 */
export const diskCheck: CheckDriver<DiskCheckConfig> = {
  async probe(config, ctx): Promise<ProbeResult> {
    if (ctx.signal.aborted) return { status: 'down', message: `timed out after ${ctx.timeoutMs} ms` };
    let fs: Awaited<ReturnType<typeof statFilesystem>>;
    try {
      fs = await statFilesystem(config.path);
    } catch (err) {
      const { code, message } = err as NodeJS.ErrnoException;
      return {
        status: 'down',
        message:
          code === 'ENOENT' ? `no such path: ${config.path}` : `cannot stat ${config.path}: ${message}`,
      };
    }

    const freeRatio = fs.sizeBytes > 0 ? fs.availBytes / fs.sizeBytes : 0;
    const space = level(
      (t) => ('ratio' in t ? freeRatio < t.ratio : fs.availBytes < t.bytes),
      config.warn_free,
      config.critical_free,
    );
    const details: Record<string, number> = {
      free_bytes: fs.availBytes,
      size_bytes: fs.sizeBytes,
      free_ratio: rounded(freeRatio),
    };
    let message = `${formatBytes(fs.availBytes)} free of ${formatBytes(fs.sizeBytes)} (${percent(freeRatio)})`;
    if (space) message += `, ${space.note}`;
    let status = space?.status ?? 'up';

    // btrfs and some network filesystems report 0 inodes: they allocate them on demand.
    if (fs.files > 0) {
      const inodeRatio = fs.filesFree / fs.files;
      details.free_inodes_ratio = rounded(inodeRatio);
      const inodes = level(
        (t) => 'ratio' in t && inodeRatio < t.ratio,
        config.warn_free_inodes,
        config.critical_free_inodes,
      );
      if (inodes) {
        message += `; inodes ${percent(inodeRatio)} free, ${inodes.note}`;
        if (rank[inodes.status] > rank[status]) status = inodes.status;
      }
    }
    return { status, message, details };
  },
};
