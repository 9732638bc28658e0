import { splitFields, toNumber } from './fields.js';

export interface NetDevStat {
  device: string;
  rxBytes: number;
  rxErrors: number;
  txBytes: number;
  txErrors: number;
}

/**
 * Parses /proc/net/dev. Every interface is returned (lo included); choosing which to report is
 * the collector's business.
 */
export function parseNetDev(text: string): NetDevStat[] {
  const out: NetDevStat[] = [];
  for (const line of text.split('\n')) {
    // The two header lines have no colon; interface names cannot contain one.
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const device = line.slice(0, colon).trim();
    // Old kernels print "eth0:1234" with no space once the byte count gets wide.
    const f = splitFields(line.slice(colon + 1));
    if (device === '' || f.length < 11) continue;
    const stat = {
      device,
      rxBytes: toNumber(f[0]),
      rxErrors: toNumber(f[2]),
      txBytes: toNumber(f[8]),
      txErrors: toNumber(f[10]),
    };
    if (!(stat.rxBytes >= 0 && stat.rxErrors >= 0 && stat.txBytes >= 0 && stat.txErrors >= 0)) continue;
    out.push(stat);
  }
  return out;
}
