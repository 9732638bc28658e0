import { describe, expect, it } from 'vitest';
import { parseLoadavg } from './loadavg.js';
import { parseUptime } from './uptime.js';

describe('parseLoadavg', () => {
  it('reads the three averages', () => {
    expect(parseLoadavg('0.71 1.45 1.60 1/86 3360\n')).toEqual({ load1: 0.71, load5: 1.45, load15: 1.6 });
  });

  it.each(['', '0.71 1.45\n', 'a b c 1/1 1\n', '-1 0 0 1/1 1\n'])('rejects %j', (text) => {
    expect(() => parseLoadavg(text)).toThrow();
  });
});

describe('parseUptime', () => {
  it('reads seconds since boot', () => {
    expect(parseUptime('11786.43 12031.52\n')).toBe(11786.43);
  });

  it.each(['', 'x 1\n', '-3 1\n'])('rejects %j', (text) => {
    expect(() => parseUptime(text)).toThrow();
  });
});
