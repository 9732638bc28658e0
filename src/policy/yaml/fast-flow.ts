/**
 * Line-level scanning shared by the fast parser: quoted and plain scalars, anchors, aliases and
 * one-line flow collections. Anything multi-line or unusual throws DECLINE.
 */
import { resolvePlain, unescapeDouble } from './fast-scalars.js';
import type { RawAlias, RawEntry, RawMap, RawNode, RawScalar, RawSeq } from './raw.js';

/** Thrown to abandon the fast path; the caller falls back to the `yaml` library. */
export class Declined extends Error {}
export const DECLINE = new Declined('outside the fast YAML subset');

const LF = 0x0a;
const SPACE = 0x20;
const DQUOTE = 0x22;
const HASH = 0x23;
const SQUOTE = 0x27;
const COMMA = 0x2c;
const COLON = 0x3a;
const STAR = 0x2a;
const LBRACKET = 0x5b;
const BACKSLASH = 0x5c;
const RBRACKET = 0x5d;
const LBRACE = 0x7b;
const RBRACE = 0x7d;

const MAX_FLOW_DEPTH = 32;

/** `,[]{}`: flow indicators, which end plain scalars, anchors and aliases in flow context. */
function isFlowIndicator(c: number): boolean {
  return c === COMMA || c === LBRACKET || c === RBRACKET || c === LBRACE || c === RBRACE;
}

/**
 * Tabs, CR, other C0/C1 controls, DEL, BOM and Unicode line separators all take paths in the
 * library's lexer that the scanner does not model.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const forbidden = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\ufeff\u2028\u2029]/;

export function hasForbiddenChar(src: string): boolean {
  // One regex test: V8 scans it natively, several times faster than a charCodeAt loop.
  return forbidden.test(src);
}

export class FlowScanner {
  protected readonly src: string;
  protected readonly n: number;
  /** Scan position; methods that scan a node leave it just after the node. */
  protected pos = 0;

  constructor(src: string) {
    this.src = src;
    this.n = src.length;
  }

  protected skipSpaces(i: number): number {
    while (this.src.charCodeAt(i) === SPACE) i++;
    return i;
  }

  /** Offset after the line break ending the line that holds `i` (or the input length). */
  protected eol(i: number): number {
    const nl = this.src.indexOf('\n', i);
    return nl === -1 ? this.n : nl + 1;
  }

  /** Whitespace, line break or end of input at `i`. */
  protected isSep(i: number): boolean {
    const c = this.src.charCodeAt(i);
    return c === SPACE || c === LF || i >= this.n;
  }

  /** End of the anchor or alias name after the `&`/`*` at `q`; declines names the library
   * rejects or warns about, and a name not followed by whitespace. */
  protected anchorEnd(q: number): number {
    let i = q + 1;
    for (; i < this.n; i++) {
      const c = this.src.charCodeAt(i);
      if (c === SPACE || c === LF || isFlowIndicator(c)) break;
    }
    if (i === q + 1 || this.src.charCodeAt(i - 1) === COLON) throw DECLINE;
    return i;
  }

  protected alias(q: number): RawAlias {
    const e = this.anchorEnd(q);
    this.pos = e;
    return { kind: 'alias', start: q, end: e, name: this.src.slice(q + 1, e) };
  }

  /** A one-line single- or double-quoted scalar starting at `q`. */
  protected quoted(q: number, anchor: string | undefined): RawScalar {
    const src = this.src;
    const quote = src.charCodeAt(q);
    let escaped = false;
    let i = q + 1;
    for (; ; i++) {
      const c = src.charCodeAt(i);
      if (i >= this.n || c === LF) throw DECLINE; // unterminated or multi-line
      if (c === quote) {
        if (quote === SQUOTE && src.charCodeAt(i + 1) === SQUOTE) {
          escaped = true;
          i++;
          continue;
        }
        break;
      }
      if (c === BACKSLASH && quote === DQUOTE) {
        escaped = true;
        i++;
        if (i >= this.n || src.charCodeAt(i) === LF) throw DECLINE;
      }
    }
    let value: string | null;
    if (!escaped) value = src.slice(q + 1, i);
    else if (quote === SQUOTE) value = src.slice(q + 1, i).replace(/''/g, "'");
    else value = unescapeDouble(src, q + 1, i);
    if (value === null) throw DECLINE;
    const end = i + 1;
    this.pos = end;
    const style = quote === SQUOTE ? 'single' : 'double';
    return anchor === undefined
      ? { kind: 'scalar', start: q, end, value, style }
      : { kind: 'scalar', start: q, end, anchor, value, style };
  }

  /** Whether a plain scalar may start at `q` (no indicator character there). */
  protected plainStartOk(q: number, inFlow: boolean): boolean {
    if (q >= this.n) return false;
    switch (this.src.charCodeAt(q)) {
      case LF:
      case SPACE:
      case HASH:
      case COMMA:
      case LBRACKET:
      case RBRACKET:
      case LBRACE:
      case RBRACE:
      case 0x26: // &
      case STAR:
      case 0x21: // !
      case 0x7c: // |
      case 0x3e: // >
      case SQUOTE:
      case DQUOTE:
      case 0x25: // %
      case 0x40: // @
      case 0x60: // `
        return false;
      case 0x2d: // -
      case 0x3f: // ?
      case COLON:
        // Indicators only when followed by whitespace (or a flow indicator in flow context).
        return !(this.isSep(q + 1) || (inFlow && isFlowIndicator(this.src.charCodeAt(q + 1))));
      default:
        return true;
    }
  }

  /** Trimmed end of the one-line plain scalar starting at `q`. */
  protected plainEnd(q: number, inFlow: boolean): number {
    const src = this.src;
    const n = this.n;
    let end = q;
    for (let i = q; i < n; i++) {
      const c = src.charCodeAt(i);
      if (c === LF) break;
      if (c === SPACE) {
        if (src.charCodeAt(i + 1) === HASH) break;
        continue;
      }
      if (c === COLON) {
        const d = src.charCodeAt(i + 1);
        if (d === SPACE || d === LF || i + 1 >= n || (inFlow && isFlowIndicator(d))) break;
      } else if (inFlow && isFlowIndicator(c)) {
        break;
      }
      end = i + 1;
    }
    return end;
  }

  /** A flow sequence or mapping starting at `q`, which must close on the same line. */
  protected flow(q: number, depth: number): RawMap | RawSeq {
    if (depth > MAX_FLOW_DEPTH) throw DECLINE;
    const src = this.src;
    const isMap = src.charCodeAt(q) === LBRACE;
    const close = isMap ? RBRACE : RBRACKET;
    const entries: RawEntry[] = [];
    const items: RawNode[] = [];
    let i = this.skipSpaces(q + 1);
    if (src.charCodeAt(i) !== close) {
      for (;;) {
        const node = this.flowNode(i, depth);
        i = this.skipSpaces(this.pos);
        if (isMap) {
          // Keys: scalars only. After a quoted key the library takes `:` even when adjacent.
          if (node.kind !== 'scalar' || src.charCodeAt(i) !== COLON) throw DECLINE;
          const d = src.charCodeAt(i + 1);
          if (d !== SPACE && (node.style === 'plain' || d === COMMA || d === close || d === LF)) {
            throw DECLINE;
          }
          const value = this.flowNode(this.skipSpaces(i + 1), depth);
          entries.push({ key: node, value });
          i = this.skipSpaces(this.pos);
        } else {
          items.push(node);
        }
        const c = src.charCodeAt(i);
        if (c === close) break;
        if (c !== COMMA) throw DECLINE; // includes `[a: b]` pairs and unclosed collections
        i = this.skipSpaces(i + 1);
        if (src.charCodeAt(i) === close) throw DECLINE; // trailing comma
      }
    }
    const end = i + 1;
    this.pos = end;
    return isMap
      ? { kind: 'map', start: q, end, flow: true, entries }
      : { kind: 'seq', start: q, end, flow: true, items };
  }

  private flowNode(i: number, depth: number): RawNode {
    const c = this.src.charCodeAt(i);
    if (c === DQUOTE || c === SQUOTE) return this.quoted(i, undefined);
    if (c === LBRACKET || c === LBRACE) return this.flow(i, depth + 1);
    if (c === STAR) return this.alias(i);
    if (!this.plainStartOk(i, true)) throw DECLINE;
    const end = this.plainEnd(i, true);
    this.pos = end;
    return { kind: 'scalar', start: i, end, value: resolvePlain(this.src.slice(i, end)), style: 'plain' };
  }
}
