import { splitFields, toNumber } from './fields.js';

export interface LoadAverage {
  load1: number;
  load5: number;
  load15: number;
}

/** Parses /proc/loadavg ("0.71 1.45 1.60 1/86 3360"). Throws on malformed text. */
export function parseLoadavg(text: string): LoadAverage {
  const f = splitFields(text.trim());
  const load = { load1: toNumber(f[0]), load5: toNumber(f[1]), load15: toNumber(f[2]) };
  if (!(load.load1 >= 0 && load.load5 >= 0 && load.load15 >= 0)) throw new Error('malformed loadavg');
  return load;
}
