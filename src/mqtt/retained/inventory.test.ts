import { describe, expect, it } from 'vitest';
import { type RetainedEntry, selectForClear } from './inventory.js';

const entry = (topic: string, ageMs: number | null, isProtected = false): RetainedEntry => ({
  topic,
  bytes: 1,
  firstSeen: ageMs === null ? null : new Date(Date.now() - ageMs).toISOString(),
  ageMs,
  stale: null,
  protected: isProtected,
  payloadExcerpt: 'x',
});

describe('selectForClear', () => {
  const entries = [
    entry('legacy/a', 40 * 86_400_000),
    entry('legacy/b', 1_000),
    entry('legacy/c', null),
    entry('homeassistant/sensor/x/config', 90 * 86_400_000, true),
  ];

  it('never selects a protected topic, whatever its age', () => {
    const s = selectForClear(entries);
    expect(s.clear.map((e) => e.topic)).toEqual(['legacy/a', 'legacy/b', 'legacy/c']);
    expect(s.protected.map((e) => e.topic)).toEqual(['homeassistant/sensor/x/config']);
  });

  it('with an age limit takes only what is known to be older, and keeps what it cannot judge', () => {
    const s = selectForClear(entries, 30 * 86_400_000);
    expect(s.clear.map((e) => e.topic)).toEqual(['legacy/a']);
    expect(s.younger.map((e) => e.topic)).toEqual(['legacy/b']);
    expect(s.ageUnknown.map((e) => e.topic)).toEqual(['legacy/c']);
    expect(s.protected).toHaveLength(1);
  });
});
