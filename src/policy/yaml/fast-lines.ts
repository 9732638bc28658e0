/**
 * The line layer of the fast scanner: the lookahead (the next line that is not blank or a
 * comment: its kind, offset and indentation) and the attribution of trivia — comments and
 * blank lines — to the node before them, exactly as the `yaml` library's CST parser does it,
 * since a block collection's end (`range[2]`) depends on it.
 */

import { DECLINE, FlowScanner } from './fast-flow.js';

const LF = 0x0a;
const SPACE = 0x20;
const HASH = 0x23;
const DASH = 0x2d;
const DOT = 0x2e;

/** Lookahead kinds. */
export const CONTENT = 0;
export const END = 1;
export const DOC_START = 2;
export const DOC_END = 3;

export class LineScanner extends FlowScanner {
  /** Start of the line holding the lookahead (for columns of mid-line nodes). */
  protected lineStart = 0;
  /** Lookahead: kind, offset of the first non-space character and indentation of the next line
   * that is not blank or a comment. */
  protected nKind = END;
  protected nPos = 0;
  protected nIndent = 0;
  /** The library's `range[2]` of the node just finished: where its trailing trivia ends. */
  protected end2 = 0;
  /** Trivia after the last value that no node has claimed yet (the CST's start-only item),
   * and the largest indentation of a comment in it. It moves up through closing collections. */
  protected trail = false;
  protected trailMax = -1;
  /** Whether the trivia after an empty value contained a comment. */
  protected sepComment = false;
  /** Checks the rest of a `---`/`...` line; returns the offset after the marker and spaces. */
  protected afterMarker(): number {
    const p = this.skipSpaces(this.nPos + 3);
    const c = this.src.charCodeAt(p);
    if (p >= this.n) this.pos = this.n;
    else if (c === LF) this.pos = p + 1;
    else if (c === HASH && p > this.nPos + 3) this.pos = this.eol(p);
    else throw DECLINE; // content on a marker line
    return p;
  }

  /**
   * Skips blank and comment lines from `this.pos` (a line start) and sets the lookahead.
   * With `mergeable`, the last value was a flow scalar, alias or flow collection in a collection
   * at column `f`: the library folds comment lines indented past `f` (and blank lines before
   * them) into that value's trailing end, until the first comment that is not.
   */
  protected skipTrivia(f: number, mergeable: boolean): void {
    const src = this.src;
    const n = this.n;
    let pos = this.pos;
    let merging = mergeable;
    let trail = false;
    let max = -1;
    let comment = this.sepComment;
    for (;;) {
      let i = pos;
      while (src.charCodeAt(i) === SPACE) i++;
      if (i >= n) {
        if (i > pos) trail = true;
        this.nKind = END;
        this.nPos = n;
        this.nIndent = 0;
        break;
      }
      const c = src.charCodeAt(i);
      if (c === LF) {
        trail = true;
        pos = i + 1;
        continue;
      }
      const k = i - pos;
      if (c === HASH) {
        const e = this.eol(i);
        comment = true;
        if (merging && k > f) {
          this.end2 = e;
          trail = false;
        } else {
          merging = false;
          trail = true;
          if (k > max) max = k;
        }
        pos = e;
        continue;
      }
      this.nPos = i;
      this.nIndent = k;
      this.lineStart = pos;
      this.nKind = CONTENT;
      if (k === 0 && (c === DASH || c === DOT)) {
        if (src.charCodeAt(i + 1) === c && src.charCodeAt(i + 2) === c && this.isSep(i + 3)) {
          this.nKind = c === DASH ? DOC_START : DOC_END;
        }
      } else if (k > 0) {
        trail = true;
      }
      break;
    }
    this.pos = pos;
    this.trail = trail;
    this.trailMax = max;
    this.sepComment = comment;
  }

  /**
   * A block collection at column `indent` is closing with last-value end `end1`. The library
   * keeps a trailing start-only item in the collection (so its `range[2]` reaches the end of
   * that trivia) unless the collection is at column 0 or all comments in it are less indented;
   * otherwise the trivia moves up to the parent.
   */
  protected pop(indent: number, end1: number): void {
    if (this.trail && indent !== 0 && this.trailMax >= indent) {
      this.end2 = this.nPos;
      this.trail = false;
    } else {
      this.end2 = end1;
    }
  }

  protected isDashAt(i: number): boolean {
    return this.src.charCodeAt(i) === DASH && this.isSep(i + 1);
  }
}
