import { describe, expect, it } from 'vitest';
import { FailureLimiter } from './failure-limiter.js';

describe('FailureLimiter', () => {
  it('blocks an address after the limit until the window ends', () => {
    let now = 0;
    const limiter = new FailureLimiter({ maxFailures: 3, windowMs: 60_000, now: () => now });
    for (let i = 0; i < 3; i++) {
      expect(limiter.blockedFor('a')).toBe(0);
      limiter.recordFailure('a');
    }
    expect(limiter.blockedFor('a')).toBe(60);
    expect(limiter.blockedFor('b')).toBe(0);
    expect(limiter.shouldReportBlock('a')).toBe(true);
    expect(limiter.shouldReportBlock('a')).toBe(false);
    now = 59_500;
    expect(limiter.blockedFor('a')).toBe(1);
    now = 60_000;
    expect(limiter.blockedFor('a')).toBe(0);
  });
});
