/**
 * A unified diff like `diff -u` (no timestamps, git-style `a/` and `b/` names) that `patch -p1`
 * applies. Lines keep their terminators when compared, so a change of the final newline or of
 * CRLF shows up, and a last line without one gets `\ No newline at end of file`.
 */

const CONTEXT = 3;
/** Above this many cells the middle is shown as removed then added: still a correct diff. */
const MAX_CELLS = 4_000_000;

type Op = { kind: ' ' | '-' | '+'; line: string };

function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
    lines.push(text.slice(start, nl + 1));
    start = nl + 1;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

/** A longest common subsequence of the lines (after trimming the common head and tail). */
function diffLines(a: string[], b: string[]): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  ) {
    tail++;
  }
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  const middle: Op[] = [];
  const n = x.length;
  const m = y.length;
  if ((n + 1) * (m + 1) > MAX_CELLS) {
    for (const line of x) middle.push({ kind: '-', line });
    for (const line of y) middle.push({ kind: '+', line });
  } else {
    // lcs[i*(m+1)+j]: LCS length of x[i..] and y[j..]
    const lcs = new Uint32Array((n + 1) * (m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * (m + 1) + j] =
          x[i] === y[j]
            ? (lcs[(i + 1) * (m + 1) + j + 1] ?? 0) + 1
            : Math.max(lcs[(i + 1) * (m + 1) + j] ?? 0, lcs[i * (m + 1) + j + 1] ?? 0);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && x[i] === y[j]) {
        middle.push({ kind: ' ', line: x[i++] ?? '' });
        j++;
      } else if (i < n && (j === m || (lcs[(i + 1) * (m + 1) + j] ?? 0) >= (lcs[i * (m + 1) + j + 1] ?? 0))) {
        // Removals before additions on a tie, the order diff -u prints a changed block in.
        middle.push({ kind: '-', line: x[i++] ?? '' });
      } else {
        middle.push({ kind: '+', line: y[j++] ?? '' });
      }
    }
  }
  const same = (lines: string[]): Op[] => lines.map((line) => ({ kind: ' ', line }));
  return [...same(a.slice(0, head)), ...middle, ...same(a.slice(a.length - tail))];
}

/** `diff -u`'s range: `start` alone for one line, the line before and `,0` for none. */
function range(start: number, count: number): string {
  if (count === 0) return `${start - 1},0`;
  return count === 1 ? `${start}` : `${start},${count}`;
}

function diffPath(file: string): string {
  return file
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '')
    .replace(/^\/+/, '');
}

export function unifiedDiffText(file: string, before: string, after: string): string {
  if (before === after) return '';
  const ops = diffLines(splitLines(before), splitLines(after));
  // 1-based line numbers in each file at every op.
  const oldAt: number[] = [];
  const newAt: number[] = [];
  let o = 1;
  let n = 1;
  for (const op of ops) {
    oldAt.push(o);
    newAt.push(n);
    if (op.kind !== '+') o++;
    if (op.kind !== '-') n++;
  }
  const changes = ops.flatMap((op, i) => (op.kind === ' ' ? [] : [i]));
  const name = diffPath(file);
  let out = `--- a/${name}\n+++ b/${name}\n`;
  for (let c = 0; c < changes.length; ) {
    let last = c;
    // Changes closer than twice the context share a hunk, as diff -u does.
    while (last + 1 < changes.length && (changes[last + 1] ?? 0) - (changes[last] ?? 0) - 1 <= 2 * CONTEXT)
      last++;
    const from = Math.max(0, (changes[c] ?? 0) - CONTEXT);
    const to = Math.min(ops.length, (changes[last] ?? 0) + CONTEXT + 1);
    const hunk = ops.slice(from, to);
    const oldCount = hunk.filter((op) => op.kind !== '+').length;
    const newCount = hunk.filter((op) => op.kind !== '-').length;
    out += `@@ -${range(oldAt[from] ?? 1, oldCount)} +${range(newAt[from] ?? 1, newCount)} @@\n`;
    for (const op of hunk) {
      const ended = op.line.endsWith('\n');
      out += `${op.kind}${ended ? op.line : `${op.line}\n\\ No newline at end of file\n`}`;
    }
    c = last + 1;
  }
  return out;
}
