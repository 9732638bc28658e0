import type { SourceFile } from './compose/project.js';

export interface InlineIgnore {
  /** 1-based line of the comment. */
  line: number;
  column: number;
  endColumn: number;
  /** True when the comment is the only thing on its line (then it covers the next line). */
  ownLine: boolean;
  rules: string[];
  reason: string | undefined;
}

const marker = /#\s*steward-ignore\b(.*)$/;

/** `# steward-ignore <rule-id>[, <rule-id>…] -- <reason>` comments of one file. */
export function inlineIgnores(file: SourceFile): InlineIgnore[] {
  if (!file.text.includes('steward-ignore')) return [];
  const out: InlineIgnore[] = [];
  const lines = file.text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').replace(/\r$/, '');
    const match = marker.exec(line);
    if (!match) continue;
    const rest = match[1] ?? '';
    const dashes = rest.indexOf('--');
    const ruleText = dashes === -1 ? rest : rest.slice(0, dashes);
    const reason = dashes === -1 ? undefined : rest.slice(dashes + 2).trim() || undefined;
    out.push({
      line: i + 1,
      column: match.index + 1,
      endColumn: line.length + 1,
      ownLine: line.slice(0, match.index).trim() === '',
      rules: ruleText
        .split(/[\s,]+/)
        .map((r) => r.trim())
        .filter(Boolean),
      reason,
    });
  }
  return out;
}
