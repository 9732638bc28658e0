import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorReason, toNumber } from './fields.js';

export interface ThermalZone {
  /** The zone's `type` (e.g. "cpu-thermal"), or its directory name when that is unreadable. */
  zone: string;
  celsius: number;
}

/** Parses a thermal_zone*\/temp file (millidegrees Celsius) into degrees. Throws on garbage. */
export function parseThermalTemp(text: string): number {
  const milli = toNumber(text.trim());
  if (!Number.isFinite(milli)) throw new Error('malformed temperature');
  return milli / 1000;
}

const PREFIX = 'thermal_zone';

function zoneIndex(dir: string): number {
  return Number(dir.slice(PREFIX.length));
}

/** '' when unreadable: the caller falls back to the directory name. */
async function readType(dir: string): Promise<string> {
  try {
    return (await readFile(join(dir, 'type'), 'utf8')).trim();
  } catch {
    return '';
  }
}

/** The temperature, or the reason it could not be had (as a value, so one zone cannot fail all). */
async function readTemp(dir: string): Promise<number | Error> {
  try {
    return parseThermalTemp(await readFile(join(dir, 'temp'), 'utf8'));
  } catch (err) {
    return new Error(errorReason(err));
  }
}

/**
 * Reads every /sys/class/thermal/thermal_zone*. No such directory (containers, VMs) means no
 * zones, not a problem; a zone whose temp cannot be read is skipped and reported. Never rejects.
 */
export async function readThermalZones(
  sysRoot: string,
): Promise<{ zones: ThermalZone[]; problems: string[] }> {
  const base = join(sysRoot, 'class', 'thermal');
  const problems: string[] = [];
  let entries: string[];
  try {
    entries = await readdir(base);
  } catch (err) {
    const reason = errorReason(err);
    if (reason !== 'ENOENT' && reason !== 'ENOTDIR') problems.push(`${base}: ${reason}`);
    return { zones: [], problems };
  }
  const dirs = entries.filter((e) => e.startsWith(PREFIX)).sort((a, b) => zoneIndex(a) - zoneIndex(b));
  const read = await Promise.all(
    dirs.map(async (dir) => {
      const path = join(base, dir);
      const [type, temp] = await Promise.all([readType(path), readTemp(path)]);
      return { dir, type: type === '' ? dir : type, temp };
    }),
  );
  // Laptops often have several zones of one type (acpitz); identical label sets would clash in the
  // exporter, so those get the directory name appended.
  const seen = new Map<string, number>();
  for (const z of read) seen.set(z.type, (seen.get(z.type) ?? 0) + 1);
  const zones: ThermalZone[] = [];
  for (const z of read) {
    if (z.temp instanceof Error) {
      problems.push(`${join(base, z.dir, 'temp')}: ${z.temp.message}`);
      continue;
    }
    zones.push({ zone: (seen.get(z.type) ?? 0) > 1 ? `${z.type}:${z.dir}` : z.type, celsius: z.temp });
  }
  return { zones, problems };
}
