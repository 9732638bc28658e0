import { parseDuration } from '../config/units.js';
import { StewardError } from '../core/errors.js';

/** An instant as ms, ISO 8601, or relative to now ("6h" = six hours ago, "now"). */
export function parseInstant(text: string | undefined, now: number, fallback: number, what: string): number {
  if (text === undefined || text === 'now') return text === 'now' ? now : fallback;
  if (/^\d+$/.test(text)) return Number(text);
  const ago = parseDuration(text);
  if (ago !== undefined) return now - ago;
  const parsed = Date.parse(text);
  if (Number.isNaN(parsed)) {
    throw new StewardError('E_USAGE', `${what}: expected ms, ISO 8601 or a duration like 6h, got ${text}`);
  }
  return parsed;
}

/** `a=b,c=d` → { a: 'b', c: 'd' } */
export function parseLabelMatch(text: string | undefined): Record<string, string> {
  const match: Record<string, string> = {};
  for (const pair of (text ?? '').split(',').filter(Boolean)) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new StewardError('E_USAGE', `labels: expected name=value pairs, got ${pair}`);
    match[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return match;
}

export function parseStep(text: string): number {
  const step = parseDuration(text);
  if (step === undefined) throw new StewardError('E_USAGE', `step: expected a duration like 5m, got ${text}`);
  return step;
}
