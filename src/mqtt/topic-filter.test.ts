import { describe, expect, it } from 'vitest';
import { isValidFilter, topicMatches } from './topic-filter.js';

describe('topicMatches', () => {
  it.each([
    ['a/#', 'a', true],
    ['a/#', 'a/b/c', true],
    ['#', 'a/b', true],
    ['a/+/c', 'a/b/c', true],
    ['a/+/c', 'a//c', true],
    ['a/+', 'a/b/c', false],
    ['a/b', 'a/b/c', false],
    ['a/b/c', 'a/b', false],
    ['#', '$SYS/broker/uptime', false],
    ['+/broker/uptime', '$SYS/broker/uptime', false],
    ['$SYS/#', '$SYS/broker/uptime', true],
    ['homeassistant/#', 'homeassistant/sensor/x/config', true],
    ['homeassistant/#', 'homeassistantx/y', false],
  ])('%s matches %s: %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });

  it('accepts only broker-valid filters', () => {
    for (const ok of ['#', 'a/+/b', 'a/#', '+', 'a']) expect(isValidFilter(ok)).toBe(true);
    for (const bad of ['', 'a/#/b', 'a#', 'a/b+', '+a/b']) expect(isValidFilter(bad)).toBe(false);
  });
});
