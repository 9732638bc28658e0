import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, parseSize } from './units.js';

describe('durations', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['4h', 14_400_000],
    ['7d', 604_800_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1.5s', 1500],
    ['2w', 1_209_600_000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '30', 's', '5 m', '-1s', '1y', 'abc', '1h 30m'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('formats back', () => {
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(30_000)).toBe('30s');
    expect(formatDuration(0)).toBe('0s');
  });
});

describe('sizes', () => {
  it.each([
    ['512MiB', 512 * 1024 ** 2],
    ['2GB', 2e9],
    ['1 KiB', 1024],
    ['10b', 10],
    ['1.5GiB', 1.5 * 1024 ** 3],
  ])('%s is %d bytes', (text, bytes) => expect(parseSize(text)).toBe(bytes));

  it.each(['', '512', 'MiB', '5 XB', '-1MB'])('rejects %j', (text) =>
    expect(parseSize(text)).toBeUndefined(),
  );
});
