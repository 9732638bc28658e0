import { splitFields, toNumber } from './fields.js';

/** Parses /proc/uptime ("11786.43 12031.52"): seconds since boot. Throws on malformed text. */
export function parseUptime(text: string): number {
  const seconds = toNumber(splitFields(text.trim())[0]);
  if (!(seconds >= 0) || !Number.isFinite(seconds)) throw new Error('malformed uptime');
  return seconds;
}
