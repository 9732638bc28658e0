import { docUrl, type Finding, type Suppression } from '../findings.js';
import { metaRules, rulesById } from '../rules/index.js';
import type { StreamReporter } from './types.js';

// Rule ids, file paths and most messages repeat across findings: quote each text once.
const quoted = new Map<string, string>();
function q(text: string): string {
  let out = quoted.get(text);
  if (out === undefined) {
    out = JSON.stringify(text);
    if (quoted.size < 50_000) quoted.set(text, out);
  }
  return out;
}

/**
 * A finding without what its rule says anyway (title, hint, doc: those are in `rules` once),
 * written field by field: a CI run can hold a hundred thousand of them.
 */
function compact(f: Finding, suppression?: Suppression): string {
  let out = `{"ruleId":${q(f.ruleId)},"severity":"${f.severity}","message":${q(f.message)},"file":${q(f.file)}`;
  out += `,"line":${f.line},"column":${f.column},"endLine":${f.endLine},"endColumn":${f.endColumn}`;
  if (f.service !== undefined) out += `,"service":${q(f.service)}`;
  if (f.anchor !== undefined) out += `,"anchor":${q(f.anchor)}`;
  if (f.aspect !== undefined) out += `,"aspect":${q(f.aspect)}`;
  if (suppression) out += `,"suppression":${JSON.stringify(suppression)}`;
  return `${out}}`;
}

function ruleInfo(id: string) {
  const rule = rulesById.get(id) ?? metaRules[id as keyof typeof metaRules];
  return rule
    ? { title: rule.title, hint: rule.hint, doc: docUrl(id) }
    : { title: id, hint: '', doc: docUrl(id) };
}

/**
 * One JSON document for scripts, one finding per line (streamed: a large set never sits in
 * memory as one string). `version` changes only when a field changes meaning or goes away.
 */
export const json: StreamReporter = ({ toolVersion }) => {
  let first = true;
  const suppressed: string[] = [];
  const seenRules = new Set<string>();
  return {
    begin: () =>
      `{"version":1,"tool":${JSON.stringify({ name: 'steward', version: toolVersion })},"findings":[`,
    project(result) {
      let out = '';
      for (const f of result.findings) {
        seenRules.add(f.ruleId);
        out += `${first ? '' : ','}\n  ${compact(f)}`;
        first = false;
      }
      for (const f of result.suppressed) {
        seenRules.add(f.ruleId);
        suppressed.push(compact(f, f.suppression));
      }
      return out;
    },
    end(totals) {
      const rules = Object.fromEntries([...seenRules].sort().map((id) => [id, ruleInfo(id)]));
      return (
        `${first ? '' : '\n'}],\n"suppressed":[${suppressed.map((s) => `\n  ${s}`).join(',')}${suppressed.length ? '\n' : ''}],\n` +
        `"rules":${JSON.stringify(rules)},\n"summary":${JSON.stringify(totals)}}\n`
      );
    },
  };
};
