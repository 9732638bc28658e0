/**
 * Offsets, lines and edits on the source text. Fixes are edits of the original text (never a
 * re-serialisation), so everything here works on offsets into the exact file contents.
 */

/** One change: replace [start, end) with text. Insertions have start === end. */
export interface Edit {
  start: number;
  end: number;
  text: string;
  /** Orders edits at the same offset: an item appended to a list must precede new keys after it. */
  rank: number;
  applied: { ruleId: string; service: string; line: number };
}

export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** The offset of a 1-based line and UTF-16 column, as findings count them; undefined when outside. */
export function offsetOf(starts: number[], text: string, line: number, column: number): number | undefined {
  const start = starts[line - 1];
  if (start === undefined || column < 1) return undefined;
  const offset = start + column - 1;
  return offset <= text.length ? offset : undefined;
}

export function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The start of the line after the one holding offset, or the end of the text on the last line. */
export function nextLineStart(text: string, offset: number): number {
  const nl = text.indexOf('\n', offset);
  return nl === -1 ? text.length : nl + 1;
}

/** The column of offset, when only spaces precede it on its line (a block key or `-`). */
export function blockColumn(text: string, offset: number): number | undefined {
  const start = lineStartOf(text, offset);
  return /^ *$/.test(text.slice(start, offset)) ? offset - start : undefined;
}

/** The file's line break, taken from its first line so a CRLF file stays CRLF. */
export function lineBreakOf(text: string): '\n' | '\r\n' {
  const nl = text.indexOf('\n');
  return nl > 0 && text[nl - 1] === '\r' ? '\r\n' : '\n';
}

/**
 * Where new lines go after a node ending at `end`: the start of the line after its last
 * character, past anything the parser counted as the node (a `|+` scalar keeps its trailing
 * blank lines) and past comment lines indented at least `minIndent` (they belong to this block;
 * blank lines and shallower comments belong to what follows).
 */
export function insertionPoint(text: string, end: number, minIndent: number): number {
  let last = end - 1;
  while (last >= 0 && /\s/.test(text[last] ?? '')) last--;
  let at = nextLineStart(text, Math.max(last, 0));
  if (end > at) at = text[end - 1] === '\n' ? end : nextLineStart(text, end);
  while (at < text.length) {
    const next = nextLineStart(text, at);
    const match = /^( *)#/.exec(text.slice(at, next));
    if (!match || (match[1]?.length ?? 0) < minIndent) break;
    at = next;
  }
  return at;
}

/**
 * Whole lines as inserted text at `at`: each line ends with the file's break, except at the end
 * of a file without a final newline, where each line starts with one so the file still ends
 * without it.
 */
export function linesAt(text: string, at: number, lines: string[], eol: string): string {
  const noFinalBreak = at === text.length && text.length > 0 && !text.endsWith('\n');
  return lines.map((l) => (noFinalBreak ? eol + l : l + eol)).join('');
}

/** Applies edits in offset order; an edit overlapping an earlier one is dropped with its record. */
export function applyEdits(text: string, edits: Edit[]): { text: string; applied: Edit['applied'][] } {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.rank - b.rank);
  let out = '';
  let cursor = 0;
  const applied: Edit['applied'][] = [];
  for (const edit of sorted) {
    if (edit.start < cursor) continue;
    out += text.slice(cursor, edit.start) + edit.text;
    cursor = edit.end;
    applied.push(edit.applied);
  }
  return { text: out + text.slice(cursor), applied };
}
