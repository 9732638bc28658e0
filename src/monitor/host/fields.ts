/**
 * Splits a line on runs of spaces and tabs. A hand-written scan instead of a regex: one pass,
 * nothing to backtrack, and it runs on every line of every /proc file each collection.
 */
export function splitFields(line: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9 || c === 13) {
      if (start >= 0) {
        out.push(line.slice(start, i));
        start = -1;
      }
    } else if (start < 0) {
      start = i;
    }
  }
  if (start >= 0) out.push(line.slice(start));
  return out;
}

/** Number('') is 0; a missing or empty field must read as NaN so callers can reject it. */
export function toNumber(field: string | undefined): number {
  return field === undefined || field === '' ? Number.NaN : Number(field);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Short reason for a problem line: the errno code when there is one (the message repeats the path). */
export function errorReason(err: unknown): string {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string') return err.code;
  return errorMessage(err);
}
