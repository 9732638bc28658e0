import { describe, expect, it } from 'vitest';
import { topicMatches } from './model.js';
import { concretize, insideCandidates, intersect, outsideCandidates } from './topics.js';

describe('probe topics', () => {
  it('fills wildcards with fixed levels', () => {
    expect(concretize('sensors/+/temp', 'n1')).toBe('sensors/steward-check/temp');
    expect(concretize('sensors/#', 'n1')).toBe('sensors/steward-check/n1');
    expect(concretize('#', 'n1')).toBe('steward-check/n1');
  });

  it('offers the parent of a /# filter as a topic inside it', () => {
    expect(insideCandidates('sensors/kitchen/#', 'n1')).toEqual([
      'sensors/kitchen/steward-check/n1',
      'sensors/kitchen',
    ]);
    expect(insideCandidates('#', 'n1')).toEqual(['steward-check/n1']);
  });

  it('steps just outside a filter: a sibling, a level deeper, the parent', () => {
    expect(outsideCandidates('steward/#', 'n1')).toEqual(['steward-check-outside/steward-check/n1']);
    expect(outsideCandidates('a/+/c', 'n1')).toEqual([
      'a/steward-check/steward-check-outside',
      'steward-check-outside/steward-check/c',
      'a/steward-check/c/steward-check-outside',
      'a/steward-check',
    ]);
    for (const t of outsideCandidates('a/+/c', 'n1')) expect(topicMatches('a/+/c', t)).toBe(false);
  });

  it('finds nothing outside filters that match every topic', () => {
    expect(outsideCandidates('#', 'n1')).toEqual([]);
    expect(outsideCandidates('+/#', 'n1')).toEqual([]);
  });

  it('intersects two filters into a topic both match, or null', () => {
    expect(intersect('sensors/#', 'sensors/kitchen/#', 'n1')).toBe('sensors/kitchen/steward-check/n1');
    expect(intersect('a/+', '+/b', 'n1')).toBe('a/b');
    expect(intersect('a/+/c', 'a/#', 'n1')).toBe('a/steward-check/c');
    expect(intersect('a/#', 'a', 'n1')).toBe('a');
    expect(intersect('#', '#', 'n1')).toBe('steward-check/n1');
    expect(intersect('a/b', 'a/c', 'n1')).toBeNull();
    expect(intersect('+', 'a/b', 'n1')).toBeNull();
    expect(intersect('#', '$SYS/x', 'n1')).toBeNull();
  });
});
