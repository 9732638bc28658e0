import { describe, expect, it } from 'vitest';
import {
  isReservedLabelName,
  isValidLabelName,
  isValidMetricName,
  sanitizeLabelName,
  sanitizeMetricName,
} from './names.js';

describe('name sanitizing', () => {
  it.each([
    ['cpu.load-avg', 'cpu_load_avg'],
    ['1min', '_1min'],
    ['ns:metric', 'ns:metric'],
    ['温度', '__'],
    ['a😀b', 'a_b'],
  ])('metric %s → %s', (raw, expected) => expect(sanitizeMetricName(raw)).toBe(expected));

  it.each([
    ['host-name', 'host_name'],
    ['9zone', '_9zone'],
    ['a:b', 'a_b'],
  ])('label %s → %s', (raw, expected) => expect(sanitizeLabelName(raw)).toBe(expected));

  it('validates without renaming', () => {
    expect(isValidMetricName('ns:cpu_total')).toBe(true);
    expect(isValidMetricName('cpu.total')).toBe(false);
    expect(isValidLabelName('a:b')).toBe(false);
    expect(isReservedLabelName('__name__')).toBe(true);
  });
});
