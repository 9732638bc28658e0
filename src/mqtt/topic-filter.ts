/**
 * Does `topic` match `filter`? `+` is one level (an empty one too), `#` the rest including the
 * parent level (`a/#` matches `a`); a filter and a topic match only if both or neither start
 * with `$` (so `#` and `+/x` never match `$SYS/x`). An invalid filter matches nothing.
 */
export function topicMatches(filter: string, topic: string): boolean {
  if (filter === '' || topic === '') return false;
  if (topic.includes('+') || topic.includes('#')) return false;
  if ((filter[0] === '$') !== (topic[0] === '$')) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    const level = f[i] as string;
    if (level === '#') return i === f.length - 1;
    if (level.includes('#') || (level.includes('+') && level !== '+')) return false;
    if (i >= t.length) return false;
    if (level !== '+' && level !== t[i]) return false;
  }
  return f.length === t.length;
}

/** A topic filter the broker accepts: `#` only as the whole last level, `+` only as a whole level. */
export function isValidFilter(filter: string): boolean {
  if (filter === '' || filter.includes('\u0000')) return false;
  const levels = filter.split('/');
  return levels.every(
    (level, i) =>
      (level === '#' ? i === levels.length - 1 : !level.includes('#')) &&
      (level === '+' || !level.includes('+')),
  );
}
