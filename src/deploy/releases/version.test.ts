import { describe, expect, it } from 'vitest';
import { StewardError } from '../../core/errors.js';
import { assertValidVersion, isValidVersion } from './version.js';

describe('assertValidVersion', () => {
  it('accepts ordinary version names', () => {
    for (const v of ['1', '1.4.2', 'v2.0.0-rc.1', '2024-06-01_abc123', 'x'.repeat(128)]) {
      expect(() => assertValidVersion(v)).not.toThrow();
    }
  });

  it('rejects path tricks, dot names and odd characters with a hint', () => {
    for (const v of ['', '.', '..', '../x', 'a/b', '.tmp-1', 'x'.repeat(129), 'a b', 'ä', 'a\0b', 'a\\b']) {
      expect(isValidVersion(v), v).toBe(false);
      let caught: unknown;
      try {
        assertValidVersion(v);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(StewardError);
      expect((caught as StewardError).code).toBe('E_USAGE');
      expect((caught as StewardError).hint).toMatch(/1-128 characters/);
    }
  });
});
