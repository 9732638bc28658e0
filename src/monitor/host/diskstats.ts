import { splitFields, toNumber } from './fields.js';

export interface DiskStat {
  device: string;
  readBytes: number;
  writtenBytes: number;
}

/** /proc/diskstats counts in 512-byte sectors whatever the device's real sector size. */
const SECTOR_BYTES = 512;

/** Block devices that are not disks: loop mounts (snaps, images) and RAM-backed devices. */
function isVirtual(name: string): boolean {
  return name.startsWith('loop') || name.startsWith('ram') || name.startsWith('zram');
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * The disk a partition belongs to, when that disk is listed too. Kernel naming: a disk whose name
 * ends in a letter takes the number straight on (sda → sda1, vda → vda2); one ending in a digit
 * takes "p" first (mmcblk0 → mmcblk0p1, nvme0n1 → nvme0n1p1). Done with string scans, not /sys,
 * so the parser stays pure.
 */
export function partitionParent(name: string, listed: ReadonlySet<string>): string | undefined {
  let cut = name.length;
  while (cut > 0 && isDigit(name.charCodeAt(cut - 1))) cut--;
  if (cut === name.length || cut === 0) return undefined;
  const base = name.slice(0, cut);
  // "p" right after a digit: mmcblk0p1 / nvme0n1p1 style.
  if (base.length > 1 && base.endsWith('p') && isDigit(base.charCodeAt(base.length - 2))) {
    const disk = base.slice(0, -1);
    if (listed.has(disk)) return disk;
  }
  return listed.has(base) ? base : undefined;
}

/** Parses /proc/diskstats into per-disk byte counters, leaving out partitions and virtual devices. */
export function parseDiskstats(text: string): DiskStat[] {
  const rows: DiskStat[] = [];
  for (const line of text.split('\n')) {
    // major minor name reads merged sectors_read ms writes merged sectors_written …
    const f = splitFields(line);
    const name = f[2];
    if (name === undefined || f.length < 10 || isVirtual(name)) continue;
    const read = toNumber(f[5]);
    const written = toNumber(f[9]);
    if (!(read >= 0 && written >= 0)) continue;
    rows.push({ device: name, readBytes: read * SECTOR_BYTES, writtenBytes: written * SECTOR_BYTES });
  }
  const listed = new Set<string>();
  for (const row of rows) listed.add(row.device);
  // Partitions would double-count their disk's traffic; one with no listed parent is all we know.
  return rows.filter((row) => partitionParent(row.device, listed) === undefined);
}
