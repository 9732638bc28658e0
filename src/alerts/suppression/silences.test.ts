import { describe, expect, it } from 'vitest';
import { StewardError } from '../../core/errors.js';
import { parseMatchers } from './matchers.js';
import {
  assertSilenceMatchers,
  nextSilenceChange,
  type Silence,
  silenceActive,
  silencedBy,
} from './silences.js';

const t = (iso: string) => Date.parse(iso);

function silence(over: Partial<Silence> = {}): Silence {
  return {
    id: 's1',
    matchers: parseMatchers('service="core"'),
    startsAt: '2024-05-01T10:00:00.000Z',
    endsAt: '2024-05-01T12:00:00.000Z',
    comment: 'upgrade',
    createdBy: 'ana',
    expiredAt: null,
    ...over,
  };
}

describe('silenceActive', () => {
  const s = silence();

  it('includes the start and excludes the end', () => {
    expect(silenceActive(s, t('2024-05-01T09:59:59.999Z'))).toBe(false);
    expect(silenceActive(s, t('2024-05-01T10:00:00.000Z'))).toBe(true);
    expect(silenceActive(s, t('2024-05-01T11:59:59.999Z'))).toBe(true);
    expect(silenceActive(s, t('2024-05-01T12:00:00.000Z'))).toBe(false);
  });

  it('ends at expiry, and still answers for instants before it', () => {
    const expired = silence({ expiredAt: '2024-05-01T11:00:00.000Z' });
    expect(silenceActive(expired, t('2024-05-01T10:30:00.000Z'))).toBe(true);
    expect(silenceActive(expired, t('2024-05-01T11:00:00.000Z'))).toBe(false);
    expect(silenceActive(expired, t('2024-05-01T11:30:00.000Z'))).toBe(false);
    // Expired before it began: never active.
    const early = silence({ expiredAt: '2024-05-01T09:00:00.000Z' });
    expect(silenceActive(early, t('2024-05-01T10:30:00.000Z'))).toBe(false);
  });

  it('is never active with an unreadable time', () => {
    expect(silenceActive(silence({ startsAt: 'soon' }), t('2024-05-01T10:30:00.000Z'))).toBe(false);
  });
});

describe('silencedBy', () => {
  it('returns the active silences whose matchers hold', () => {
    const now = t('2024-05-01T10:30:00.000Z');
    const core = silence({ id: 'core' });
    const db = silence({ id: 'db', matchers: parseMatchers('service="db"') });
    const later = silence({ id: 'later', startsAt: '2024-05-01T11:00:00.000Z' });
    const critical = silence({ id: 'crit', matchers: parseMatchers('severity=~"critical|warning"') });
    const all = [core, db, later, critical];
    expect(silencedBy(all, { service: 'core', severity: 'warning' }, now).map((s) => s.id)).toEqual([
      'core',
      'crit',
    ]);
    expect(silencedBy(all, { service: 'web' }, now)).toEqual([]);
  });
});

describe('nextSilenceChange', () => {
  const a = silence({ startsAt: '2024-05-01T10:00:00.000Z', endsAt: '2024-05-01T12:00:00.000Z' });
  const b = silence({ startsAt: '2024-05-01T11:00:00.000Z', endsAt: '2024-05-01T13:00:00.000Z' });

  it('finds the next start or end strictly after now', () => {
    expect(nextSilenceChange([a, b], t('2024-05-01T09:00:00.000Z'))).toBe(t('2024-05-01T10:00:00.000Z'));
    expect(nextSilenceChange([a, b], t('2024-05-01T10:00:00.000Z'))).toBe(t('2024-05-01T11:00:00.000Z'));
    expect(nextSilenceChange([a, b], t('2024-05-01T11:30:00.000Z'))).toBe(t('2024-05-01T12:00:00.000Z'));
    expect(nextSilenceChange([a, b], t('2024-05-01T12:00:00.000Z'))).toBe(t('2024-05-01T13:00:00.000Z'));
    expect(nextSilenceChange([a, b], t('2024-05-01T13:00:00.000Z'))).toBeNull();
    expect(nextSilenceChange([], 0)).toBeNull();
  });

  it('uses the expiry as the end and skips silences that never become active', () => {
    const expired = silence({ expiredAt: '2024-05-01T10:15:00.000Z' });
    expect(nextSilenceChange([expired], t('2024-05-01T10:05:00.000Z'))).toBe(t('2024-05-01T10:15:00.000Z'));
    const never = silence({ expiredAt: '2024-05-01T09:00:00.000Z' });
    expect(nextSilenceChange([never], t('2024-05-01T08:00:00.000Z'))).toBeNull();
    const bad = silence({ endsAt: 'never' });
    expect(nextSilenceChange([bad], t('2024-05-01T08:00:00.000Z'))).toBeNull();
  });
});

describe('assertSilenceMatchers', () => {
  it('accepts a matcher that needs a value', () => {
    expect(() => assertSilenceMatchers(parseMatchers('service="core", team!="ops"'))).not.toThrow();
  });

  it.each([
    ['', 'at least one matcher'],
    ['team!="ops"', 'also matches alerts without the label'],
    ['service=~".*"', 'also matches alerts without the label'],
  ])('rejects %j', (text, problem) => {
    try {
      assertSilenceMatchers(parseMatchers(text));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(StewardError);
      expect((err as StewardError).code).toBe('E_USAGE');
      expect((err as StewardError).message).toContain(problem);
      expect((err as StewardError).hint).toBeTruthy();
    }
  });
});
