import fs from 'node:fs';
import type { ComposeProject } from '../compose/project.js';
import type { Finding } from '../findings.js';
import { parseWithYamlLib } from '../yaml/from-yaml-lib.js';
import { unifiedDiffText } from './diff.js';
import { imagePinFix } from './image-pin.js';
import { type InsertContext, loggingFix, noNewPrivilegesFix, restartFix } from './insert.js';
import { locateService } from './locate.js';
import { noRunningImages, type RunningImages } from './running-images.js';
import { applyEdits, type Edit, lineBreakOf, lineStarts, offsetOf } from './text.js';

export { chooseTag } from './image-pin.js';
export {
  type DockerOptions,
  dockerRunningImages,
  noRunningImages,
  type RunningImages,
} from './running-images.js';
export { writeFixes } from './write.js';

export interface FileFix {
  file: string;
  before: string;
  after: string;
  /** What changed: the rule, the service and the line of the finding (in `before`). */
  applied: { ruleId: string; service: string; line: number }[];
}

export interface PlanOptions {
  /** Where running images' tags come from (image-pinned); default: nowhere, so no image is pinned. */
  running?: RunningImages;
  /** Reads a file as text; default fs. */
  read?: (file: string) => string;
  /**
   * The merged project the findings came from. With it, restart-policy is not added where another
   * -f file or an extends base sets deploy.restart_policy (a finding cannot say so).
   */
  project?: ComposeProject;
}

/** The rules with a safe fix. */
export const fixableRules: ReadonlySet<string> = new Set([
  'no-new-privileges',
  'restart-policy',
  'logging-limits',
  'image-pinned',
]);

const BOM = '\uFEFF';

/**
 * The changes `--fix` makes for these findings, one per file that changes. Each fix is an
 * insertion (or, for a pinned tag, a replacement of the tag's text) into the file as it is;
 * everything else in the file stays byte for byte. A finding that cannot be fixed safely
 * (inside an alias, a flow-style service, the setting is there but off…) is left alone.
 */
export async function planFixes(findings: readonly Finding[], opts: PlanOptions = {}): Promise<FileFix[]> {
  const read = opts.read ?? ((file: string) => fs.readFileSync(file, 'utf8'));
  const byFile = new Map<string, Finding[]>();
  for (const f of findings) {
    // Inside an alias the text to change is the anchor's, which other services share.
    if (!fixableRules.has(f.ruleId) || f.service === undefined || f.anchor !== undefined) continue;
    byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  }
  const fixes: FileFix[] = [];
  for (const [file, list] of byFile) {
    const fix = await planFile(file, list, read, opts);
    if (fix) fixes.push(fix);
  }
  return fixes;
}

async function planFile(
  file: string,
  findings: Finding[],
  read: (file: string) => string,
  opts: PlanOptions,
): Promise<FileFix | undefined> {
  let before: string;
  try {
    before = read(file);
  } catch {
    return undefined; // the lint already reported an unreadable file
  }
  // Findings count positions without the byte-order mark (the loader's decoder drops it).
  const bom = before.startsWith(BOM) ? BOM : '';
  const text = before.slice(bom.length);
  const docs = parseWithYamlLib(text);
  if (docs.some((d) => d.errors.length > 0)) return undefined;
  const starts = lineStarts(text);
  const eol = lineBreakOf(text);
  const edits: Edit[] = [];
  const done = new Set<string>();
  for (const f of findings) {
    const service = f.service ?? '';
    const offset = offsetOf(starts, text, f.line, f.column);
    const site = offset === undefined ? undefined : locateService(text, docs, service, offset);
    if (!site || offset === undefined) continue;
    const key = `${site.map.start}\0${f.ruleId}`;
    if (done.has(key)) continue;
    done.add(key);
    const ctx: InsertContext = {
      text,
      eol,
      site,
      line: f.line,
      ...(opts.project ? { project: opts.project } : {}),
    };
    const edit =
      f.ruleId === 'no-new-privileges'
        ? noNewPrivilegesFix(ctx)
        : f.ruleId === 'restart-policy'
          ? restartFix(ctx)
          : f.ruleId === 'logging-limits'
            ? loggingFix(ctx)
            : f.aspect === 'tag'
              ? await imagePinFix({ text, site, offset, line: f.line }, opts.running ?? noRunningImages)
              : undefined;
    if (edit) edits.push(edit);
  }
  const result = applyEdits(text, edits);
  if (result.text === text) return undefined;
  const applied = result.applied.sort(
    (a, b) => a.line - b.line || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0),
  );
  return { file, before, after: bom + result.text, applied };
}

/** The fix as a unified diff (`--- a/FILE`, `+++ b/FILE`, 3 lines of context) for `patch -p1`. */
export function unifiedDiff(fix: FileFix): string {
  return unifiedDiffText(fix.file, fix.before, fix.after);
}
