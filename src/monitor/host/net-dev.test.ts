import { describe, expect, it } from 'vitest';
import { parseNetDev } from './net-dev.js';

// Raspberry Pi running Docker: wired, Wi-Fi, bridge, a veth and a WireGuard tunnel.
const PI = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:  8412096   61204    0    0    0     0          0         0  8412096   61204    0    0    0     0       0          0
  eth0: 3982215330 4120334    0   12    0     0          0     30211 912003311 2210442    0    0    0     0       0          0
 wlan0:  1203344    9102   17    0    0     0          0       420   330112    2011    3    0    0     0       0          0
docker0:  2204412   18220    0    0    0     0          0         0 41022044   22014    0    0    0     0       0          0
veth3f2a1c9:  2459400   18220    0    0    0     0          0         0 41024100   22030    0    0    0     0       0          0
   wg0:   412200    3012    0    0    0     0          0         0   520330    3301    0    0    0     0       0          0
`;

describe('parseNetDev', () => {
  it('reads every interface, lo included', () => {
    const stats = parseNetDev(PI);
    expect(stats.map((s) => s.device)).toEqual(['lo', 'eth0', 'wlan0', 'docker0', 'veth3f2a1c9', 'wg0']);
    expect(stats[1]).toEqual({
      device: 'eth0',
      rxBytes: 3982215330,
      rxErrors: 0,
      txBytes: 912003311,
      txErrors: 0,
    });
    expect(stats[2]).toEqual({
      device: 'wlan0',
      rxBytes: 1203344,
      rxErrors: 17,
      txBytes: 330112,
      txErrors: 3,
    });
  });

  it('reads the old format with no space after the colon', () => {
    const text =
      '  eth0:1016222720   36320    0    0    0     0          0         0  3275843   28253    5\n';
    expect(parseNetDev(text)).toEqual([
      { device: 'eth0', rxBytes: 1016222720, rxErrors: 0, txBytes: 3275843, txErrors: 5 },
    ]);
  });

  it('skips headers, blank and truncated lines', () => {
    expect(parseNetDev('Inter-| Receive\n\n eth1: 1 2 3\n')).toEqual([]);
  });
});
