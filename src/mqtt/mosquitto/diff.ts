/**
 * A small unified-style line diff for showing what an apply changes. Anything that looks like a
 * Mosquitto password hash is masked in the output, so neither a hash nor (the files never hold
 * one) a password can reach a terminal, a log or an API response.
 */

const hashPattern = /\$(\d+)\$[A-Za-z0-9+/=$.]*/g;

export function maskHashes(line: string): string {
  return line.replace(hashPattern, (_m, kind: string) => `$${kind}$…`);
}

type Op = { kind: ' ' | '-' | '+'; line: string };

/** Longest common subsequence; the files are a few hundred lines at most, so O(n·m) is fine. */
function lineOps(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  if (n * m > 4_000_000) {
    // Too big to align cheaply: show it as a full replacement rather than stall an apply.
    return [
      ...a.map((line) => ({ kind: '-' as const, line })),
      ...b.map((line) => ({ kind: '+' as const, line })),
    ];
  }
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    const row = lcs[i]!;
    const next = lcs[i + 1]!;
    for (let j = m - 1; j >= 0; j--) {
      row[j] = a[i] === b[j] ? next[j + 1]! + 1 : Math.max(next[j]!, row[j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push({ kind: ' ', line: a[i]! });
      i++;
      j++;
    } else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      // Removals before additions, as diff -u prints a replaced line.
      ops.push({ kind: '-', line: a[i]! });
      i++;
    } else {
      ops.push({ kind: '+', line: b[j]! });
      j++;
    }
  }
  return ops;
}

function toLines(text: string | null): string[] {
  if (text === null || text === '') return [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * `before` null means the file does not exist yet. Returns '' when nothing changed. Lines are
 * compared raw (so a re-hashed password counts as a change) and printed masked.
 */
export function unifiedDiff(name: string, before: string | null, after: string, context = 2): string {
  const ops = lineOps(toLines(before), toLines(after));
  const changes = ops.flatMap((op, idx) => (op.kind === ' ' ? [] : [idx]));
  if (changes.length === 0) return '';
  const out = [`--- ${before === null ? '/dev/null' : `a/${name}`}`, `+++ b/${name}`];
  // Group changes closer than two contexts into one hunk, as diff -u does.
  const groups: [number, number][] = [];
  for (const idx of changes) {
    const last = groups.at(-1);
    if (last && idx - last[1] - 1 <= 2 * context) last[1] = idx;
    else groups.push([idx, idx]);
  }
  for (const [first, last] of groups) {
    const start = Math.max(0, first - context);
    const end = Math.min(ops.length, last + context + 1);
    const prior = ops.slice(0, start);
    const hunk = ops.slice(start, end);
    const oldStart = prior.filter((op) => op.kind !== '+').length + 1;
    const newStart = prior.filter((op) => op.kind !== '-').length + 1;
    const oldCount = hunk.filter((op) => op.kind !== '+').length;
    const newCount = hunk.filter((op) => op.kind !== '-').length;
    // diff -u numbers an empty side by the line before it.
    out.push(
      `@@ -${oldCount === 0 ? oldStart - 1 : oldStart},${oldCount} +${newCount === 0 ? newStart - 1 : newStart},${newCount} @@`,
    );
    for (const op of hunk) out.push(`${op.kind}${maskHashes(op.line)}`);
  }
  return `${out.join('\n')}\n`;
}
