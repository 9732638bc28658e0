import { parseDuration } from '../config/units.js';
import { StewardError } from '../core/errors.js';

/** `--since 24h` (that long ago) or `--since 2026-11-01T00:00:00Z`, as a UTC ISO string. */
export function parseSince(text: string, now: Date): string {
  const ms = parseDuration(text);
  if (ms !== undefined) return new Date(now.getTime() - ms).toISOString();
  const date = new Date(text);
  if (/^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(date.getTime())) return date.toISOString();
  throw new StewardError('E_USAGE', `--since ${JSON.stringify(text)} is neither a duration nor a date`, {
    hint: 'write 24h, 7d, or an ISO-8601 time such as 2026-11-01T00:00:00Z',
  });
}

/** A duration flag's value in ms; a usage error (exit 2) when it is not one. */
export function durationFlag(flag: string, text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) {
    throw new StewardError('E_USAGE', `${flag} ${JSON.stringify(text)} is not a duration`, {
      hint: `e.g. ${flag} 30d, 12h, 90m, 10s`,
    });
  }
  return ms;
}
