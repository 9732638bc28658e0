import { splitFields, toNumber } from './fields.js';

/** The /proc/meminfo fields Steward reports, in bytes. Absent in the file → undefined. */
export interface MemInfo {
  memTotalBytes: number | undefined;
  /** Missing before Linux 3.14. */
  memAvailableBytes: number | undefined;
  swapTotalBytes: number | undefined;
  swapFreeBytes: number | undefined;
}

const KEYS = {
  MemTotal: 'memTotalBytes',
  MemAvailable: 'memAvailableBytes',
  SwapTotal: 'swapTotalBytes',
  SwapFree: 'swapFreeBytes',
} as const satisfies Record<string, keyof MemInfo>;

function isKey(key: string): key is keyof typeof KEYS {
  return Object.hasOwn(KEYS, key);
}

/** Parses /proc/meminfo ("MemTotal:       24684096 kB"). Throws when MemTotal is missing. */
export function parseMeminfo(text: string): MemInfo {
  const info: MemInfo = {
    memTotalBytes: undefined,
    memAvailableBytes: undefined,
    swapTotalBytes: undefined,
    swapFreeBytes: undefined,
  };
  let found = 0;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon);
    if (!isKey(key)) continue;
    const [value, unit] = splitFields(line.slice(colon + 1));
    const n = toNumber(value);
    if (!(n >= 0)) continue;
    // The kernel's "kB" means KiB.
    info[KEYS[key]] = unit === 'kB' ? n * 1024 : n;
    // Everything we want sits near the top; no need to walk the remaining ~50 lines.
    if (++found === 4) break;
  }
  if (info.memTotalBytes === undefined) throw new Error('no MemTotal in meminfo');
  return info;
}
