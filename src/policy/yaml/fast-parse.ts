/**
 * Hand-written scanner for the subset of YAML that docker-compose files use. It produces the
 * same raw tree as the `yaml` library adapter (from-yaml-lib.ts), offsets included, and returns
 * null ("declined") for anything outside the subset or anything the library would report as an
 * error, so the caller can fall back to the library.
 *
 * Node ends follow the library's composer: a block collection ends where its last value's
 * trailing trivia ends (the CST's `range[2]`), so comments and blank lines after a value have to
 * be attributed exactly as the library's CST parser attributes them: that is fast-lines.ts.
 */

import { DECLINE, Declined, hasForbiddenChar } from './fast-flow.js';
import { CONTENT, DOC_END, DOC_START, END, LineScanner } from './fast-lines.js';
import { blockScalarEnd, blockScalarValue, resolvePlain } from './fast-scalars.js';
import type { RawDocument, RawEntry, RawMap, RawNode, RawScalar, RawSeq } from './raw.js';

const LF = 0x0a;
const DQUOTE = 0x22;
const HASH = 0x23;
const AMP = 0x26;
const SQUOTE = 0x27;
const PLUS = 0x2b;
const DASH = 0x2d;
const COLON = 0x3a;
const GT = 0x3e;
const STAR = 0x2a;
const LBRACKET = 0x5b;
const LBRACE = 0x7b;
const PIPE = 0x7c;

const MAX_DEPTH = 100;

/**
 * Returns the documents, or null when the input uses something outside the supported subset
 * (or has any syntax error — errors are left to the yaml library).
 */
export function parseYamlFast(src: string): RawDocument[] | null {
  if (hasForbiddenChar(src)) return null;
  try {
    return new BlockScanner(src).stream();
  } catch (e) {
    if (e instanceof Declined) return null;
    throw e;
  }
}

function nullScalar(at: number): RawScalar {
  return { kind: 'scalar', start: at, end: at, value: null, style: 'plain' };
}

class BlockScanner extends LineScanner {
  private depth = 0;

  stream(): RawDocument[] {
    const docs: RawDocument[] = [];
    this.skipTrivia(-1, false);
    for (;;) {
      const kind = this.nKind;
      if (kind === END) return docs;
      if (kind === DOC_END) throw DECLINE; // `...` without a document
      let contents: RawNode;
      if (kind === DOC_START) {
        const p = this.afterMarker();
        this.skipTrivia(-1, false);
        contents = this.nKind === CONTENT ? this.root() : nullScalar(p);
      } else {
        contents = this.root();
      }
      docs.push({ contents, errors: [] });
      if (this.nKind === DOC_END) {
        this.afterMarker();
        this.skipTrivia(-1, false);
      }
    }
  }

  private root(): RawNode {
    if (this.nIndent !== 0) throw DECLINE;
    this.trail = false; // trivia before the root node belongs to the document
    const node = this.isDashAt(this.nPos) ? this.seq(0) : this.map(0, null);
    if (this.nKind === CONTENT) throw DECLINE;
    return node;
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw DECLINE;
  }

  /** A block mapping at column `m`; `first` is an already-scanned first key (`- key: v`). */
  private map(m: number, first: RawNode | null): RawMap {
    this.enter();
    const entries: RawEntry[] = [];
    let key = first ?? this.key();
    const node: RawMap = { kind: 'map', start: key.start, end: 0, flow: false, entries };
    for (;;) {
      entries.push({ key, value: this.value(m, false, false) });
      if (this.nKind !== CONTENT || this.nIndent < m) break;
      if (this.nIndent > m) throw DECLINE;
      this.trail = false; // the trivia becomes the next key's leading props
      key = this.key();
    }
    node.end = this.end2;
    this.pop(m, node.end);
    this.depth--;
    return node;
  }

  /** A block sequence at column `s`; the lookahead is its first `-`. */
  private seq(s: number): RawSeq {
    this.enter();
    const items: RawNode[] = [];
    const node: RawSeq = { kind: 'seq', start: this.nPos, end: 0, flow: false, items };
    // Trivia before a later `-` is part of that item's props in the library, so a comment
    // there counts as the item's own comment (it matters only for an empty item's end).
    let lead = false;
    for (;;) {
      this.trail = false;
      this.pos = this.nPos + 1;
      items.push(this.value(s, true, lead));
      if (this.nKind !== CONTENT || this.nIndent < s) break;
      if (this.nIndent > s) throw DECLINE;
      if (!this.isDashAt(this.nPos)) break; // a key of the parent mapping at the same column
      lead = this.trail && this.trailMax >= 0;
    }
    node.end = this.end2;
    this.pop(s, node.end);
    this.depth--;
    return node;
  }

  /** A block mapping key at the lookahead (optionally anchored); leaves `pos` after its `:`. */
  private key(): RawScalar {
    let i = this.nPos;
    let anchor: string | undefined;
    if (this.src.charCodeAt(i) === AMP) {
      const e = this.anchorEnd(i);
      anchor = this.src.slice(i + 1, e);
      i = this.skipSpaces(e);
      if (i === e) throw DECLINE; // anchor without a following key on the line
    }
    const c = this.src.charCodeAt(i);
    let node: RawScalar;
    if (c === DQUOTE || c === SQUOTE) {
      node = this.quoted(i, anchor);
    } else {
      if (!this.plainStartOk(i, false)) throw DECLINE;
      node = this.plainScalar(i, this.plainEnd(i, false), anchor);
    }
    this.colonAfterKey();
    return node;
  }

  /** Expects `:` plus a separator after a key that ends at `pos`; leaves `pos` after the `:`. */
  private colonAfterKey(): void {
    const j = this.skipSpaces(this.pos);
    if (this.src.charCodeAt(j) !== COLON || !this.isSep(j + 1)) throw DECLINE;
    // The library rejects implicit keys spanning more than 1024 characters.
    if (j - this.lineStart > 1000) throw DECLINE;
    this.pos = j + 1;
  }

  /**
   * The value after a `key:` or `- ` indicator (`pos` is just past it), in a collection at
   * column `f`. In a sequence (`inSeq`) a same-line `key: value` starts a compact mapping.
   * Leaves the lookahead set and `end2` as the value's trailing end.
   */
  private value(f: number, inSeq: boolean, leadComment: boolean): RawNode {
    const src = this.src;
    const first = this.skipSpaces(this.pos);
    let q = first;
    let anchor: string | undefined;
    let c = src.charCodeAt(q);
    if (c === AMP) {
      const e = this.anchorEnd(q);
      if (!this.isSep(e)) throw DECLINE;
      anchor = src.slice(q + 1, e);
      q = this.skipSpaces(e);
      c = src.charCodeAt(q);
    }
    if (q >= this.n || c === LF || c === HASH) return this.noInlineValue(f, inSeq, anchor, q, leadComment);
    let node: RawNode;
    switch (c) {
      case DQUOTE:
      case SQUOTE:
        node = this.quoted(q, anchor);
        break;
      case LBRACKET:
      case LBRACE:
        node = this.flow(q, 0);
        if (anchor !== undefined) node.anchor = anchor;
        break;
      case STAR:
        if (anchor !== undefined) throw DECLINE;
        node = this.alias(q);
        break;
      case PIPE:
      case GT:
        return this.blockScalar(q, f, anchor);
      default:
        if (!this.plainStartOk(q, false)) throw DECLINE;
        node = this.plainScalar(q, this.plainEnd(q, false), anchor);
    }
    const j = this.skipSpaces(this.pos);
    c = src.charCodeAt(j);
    if (c === COLON && this.isSep(j + 1)) {
      // `- key: value`: a compact mapping whose column is where its first token starts.
      if (!inSeq || node.kind !== 'scalar') throw DECLINE;
      this.colonAfterKey();
      return this.map(first - this.lineStart, node);
    }
    let lineEnd: number;
    if (j >= this.n) lineEnd = this.n;
    else if (c === LF) lineEnd = j + 1;
    else if (c === HASH && j > this.pos) lineEnd = this.eol(j);
    else throw DECLINE;
    this.end2 = lineEnd;
    this.pos = lineEnd;
    this.skipTrivia(f, true);
    return node;
  }

  /**
   * Nothing else on the indicator's line: the value is a nested block collection on the next
   * lines, or empty (a null scalar right after the indicator and its spaces).
   */
  private noInlineValue(
    f: number,
    inSeq: boolean,
    anchor: string | undefined,
    p: number,
    leadComment: boolean,
  ): RawNode {
    const c = this.src.charCodeAt(p);
    this.sepComment = leadComment || c === HASH;
    this.pos = p >= this.n ? this.n : c === HASH ? this.eol(p) : p + 1;
    this.skipTrivia(f, false);
    this.trail = false; // trivia here belongs to the pair's separator, not to a trailing item
    if (this.nKind === CONTENT) {
      const ni = this.nIndent;
      const dash = this.isDashAt(this.nPos);
      if (ni > f || (ni === f && dash && !inSeq)) {
        const node = dash ? this.seq(ni) : this.map(ni, null);
        if (anchor !== undefined) node.anchor = anchor;
        return node;
      }
    }
    if (anchor !== undefined) throw DECLINE; // anchored empty node: positions not modelled
    // Before a `---`, the library splits a root mapping's separator trivia between this value
    // and the next token; with a comment in it that changes this value's end. Rare: decline.
    if (this.sepComment && f === 0 && !inSeq && this.nKind === DOC_START) throw DECLINE;
    // An empty value's `range[2]` covers the separator trivia only if it holds a comment.
    this.end2 = this.sepComment ? this.nPos : p;
    return nullScalar(p);
  }

  /** `|` / `>` block scalar whose header starts at `q`, in a collection at column `f`. */
  private blockScalar(q: number, f: number, anchor: string | undefined): RawNode {
    const src = this.src;
    const folded = src.charCodeAt(q) === GT;
    let i = q + 1;
    let chomp: '' | '-' | '+' = '';
    const h = src.charCodeAt(i);
    if (h === DASH || h === PLUS) {
      chomp = h === DASH ? '-' : '+';
      i++;
    }
    if (!this.isSep(i)) throw DECLINE; // indentation indicator or other header characters
    const j = this.skipSpaces(i);
    const hc = src.charCodeAt(j);
    let start: number;
    if (hc === LF) start = j + 1;
    else if (hc === HASH && j > i) start = this.eol(j);
    else throw DECLINE;
    const end = blockScalarEnd(src, start, f, chomp === '+');
    if (end === -1) throw DECLINE;
    const value = blockScalarValue(src.slice(start, end), f, folded, chomp);
    if (value === null) throw DECLINE;
    const node: RawScalar =
      anchor === undefined
        ? { kind: 'scalar', start: q, end, value, style: 'block' }
        : { kind: 'scalar', start: q, end, anchor, value, style: 'block' };
    this.end2 = end;
    this.pos = end;
    this.skipTrivia(f, false);
    return node;
  }

  private plainScalar(q: number, end: number, anchor: string | undefined): RawScalar {
    const value = resolvePlain(this.src.slice(q, end));
    this.pos = end;
    return anchor === undefined
      ? { kind: 'scalar', start: q, end, value, style: 'plain' }
      : { kind: 'scalar', start: q, end, anchor, value, style: 'plain' };
  }
}
