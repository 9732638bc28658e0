import { getPath } from '../compose/nodes.js';
import type { ComposeProject } from '../compose/project.js';
import type { RawNode, RawSeq } from '../yaml/raw.js';
import { dashColumn, explicitEntry, type ServiceSite } from './locate.js';
import { type Edit, insertionPoint, linesAt } from './text.js';

export interface InsertContext {
  /** The file's text (without a byte-order mark). */
  text: string;
  eol: string;
  site: ServiceSite;
  /** Line of the finding, for the record of what was applied. */
  line: number;
  /** The merged project, when known: it sees what other -f files and extends bases add. */
  project?: ComposeProject;
}

// Order of edits at one offset: an item appended to a list that ends the service comes before
// any new key, and new keys always come in the same order.
const rank = { appendItem: 0, securityOpt: 1, restart: 2, logging: 3 } as const;

const NNP = 'no-new-privileges:true';

/** New keys as lines after the service's last value, at the indentation of its keys. */
function newKeys(ctx: InsertContext, ruleId: string, order: number, lines: [number, string][]): Edit {
  const { text, site } = ctx;
  const end = Math.max(...site.map.entries.map((e) => Math.max(e.key.end, e.value.end)));
  const at = insertionPoint(text, end, site.keyIndent);
  const indented = lines.map(([depth, line]) => ' '.repeat(site.keyIndent + depth) + line);
  return {
    start: at,
    end: at,
    text: linesAt(text, at, indented, ctx.eol),
    rank: order,
    applied: { ruleId, service: site.name, line: ctx.line },
  };
}

function isNnp(doc: ServiceSite['doc'], item: RawNode): boolean {
  const node = doc.deref(item);
  if (node?.kind !== 'scalar') return false;
  return /^\s*no-new-privileges\s*([:=]|$)/i.test(String(node.value ?? ''));
}

/**
 * no-new-privileges: add `security_opt` when the service has none, or append to its list. Any
 * no-new-privileges item already there (`:false` included, which someone chose) means no fix.
 */
export function noNewPrivilegesFix(ctx: InsertContext): Edit | undefined {
  const { site } = ctx;
  const entry = explicitEntry(site.map, 'security_opt');
  if (!entry) {
    // Not written here but merged in (`<<: *defaults`): a new key would replace that list.
    if (site.doc.lookup(site.map, 'security_opt')) return undefined;
    const item = site.seqIndent;
    return newKeys(ctx, 'no-new-privileges', rank.securityOpt, [
      [0, 'security_opt:'],
      [item, `- ${NNP}`],
    ]);
  }
  const list = entry.value;
  if (list.kind !== 'seq' || site.doc.shared(list)) return undefined;
  if (list.items.some((i) => isNnp(site.doc, i))) return undefined;
  return list.flow ? appendFlow(ctx, list) : appendBlock(ctx, list);
}

function quoted(style: RawNode | undefined, fallback: '"' | ''): string {
  if (style?.kind === 'scalar' && style.style === 'single') return `'${NNP}'`;
  if (style?.kind === 'scalar' && style.style === 'double') return `"${NNP}"`;
  return fallback ? `"${NNP}"` : NNP;
}

function appendBlock(ctx: InsertContext, list: RawSeq): Edit | undefined {
  const first = list.items[0];
  const last = list.items[list.items.length - 1];
  const dash = first ? dashColumn(ctx.text, first.start) : undefined;
  if (!last || dash === undefined) return undefined;
  const at = insertionPoint(ctx.text, Math.max(list.end, last.end), dash);
  const line = `${' '.repeat(dash)}- ${quoted(last, '')}`;
  return {
    start: at,
    end: at,
    text: linesAt(ctx.text, at, [line], ctx.eol),
    rank: rank.appendItem,
    applied: { ruleId: 'no-new-privileges', service: ctx.site.name, line: ctx.line },
  };
}

function appendFlow(ctx: InsertContext, list: RawSeq): Edit | undefined {
  const { text } = ctx;
  const close = list.end - 1;
  if (text[close] !== ']') return undefined;
  const last = list.items[list.items.length - 1];
  const applied = { ruleId: 'no-new-privileges', service: ctx.site.name, line: ctx.line };
  const item = quoted(last, '"');
  if (!last) return { start: close, end: close, text: item, rank: rank.appendItem, applied };
  // A trailing comma (`[a, b,]`) stays trailing: the new item goes after it.
  for (let i = last.end; i < close; i++) {
    if (text[i] === '#') {
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? close : nl;
    } else if (text[i] === ',') {
      return { start: i + 1, end: i + 1, text: ` ${item},`, rank: rank.appendItem, applied };
    }
  }
  return { start: last.end, end: last.end, text: `, ${item}`, rank: rank.appendItem, applied };
}

/** restart-policy: `restart: unless-stopped` when neither `restart` nor `deploy.restart_policy` exists. */
export function restartFix(ctx: InsertContext): Edit | undefined {
  const { site } = ctx;
  if (site.doc.lookup(site.map, 'restart')) return undefined;
  if (site.doc.lookup(site.doc.lookup(site.map, 'deploy'), 'restart_policy')) return undefined;
  const merged = ctx.project?.services.find((s) => s.name === site.name);
  if (merged && (getPath(merged.node, 'restart') || getPath(merged.node, 'deploy', 'restart_policy'))) {
    return undefined;
  }
  // An extends base may carry deploy.restart_policy; without the merged project we cannot see it.
  if (!merged && site.doc.lookup(site.map, 'extends')) return undefined;
  return newKeys(ctx, 'restart-policy', rank.restart, [[0, 'restart: unless-stopped']]);
}

/** logging-limits: a size-limited json-file `logging` when the service has none at all. */
export function loggingFix(ctx: InsertContext): Edit | undefined {
  const { site } = ctx;
  if (site.doc.lookup(site.map, 'logging')) return undefined;
  const s = site.step;
  return newKeys(ctx, 'logging-limits', rank.logging, [
    [0, 'logging:'],
    [s, 'driver: json-file'],
    [s, 'options:'],
    [2 * s, 'max-size: "10m"'],
    [2 * s, 'max-file: "3"'],
  ]);
}
