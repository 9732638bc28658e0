import type { Severity } from './rules/types.js';

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  service?: string;
  /** The anchor a finding inside an alias came through. */
  anchor?: string;
  aspect?: string;
  hint: string;
  docUrl: string;
}

export interface Suppression {
  kind: 'inline' | 'exception';
  reason: string;
  expires?: string;
}

export interface SuppressedFinding extends Finding {
  suppression: Suppression;
}

export interface LintResult {
  files: string[];
  services: number;
  findings: Finding[];
  suppressed: SuppressedFinding[];
}

const docUrls = new Map<string, string>();

/** The rule's doc page; one string per rule, shared by all its findings. */
export function docUrl(ruleId: string): string {
  let url = docUrls.get(ruleId);
  if (url === undefined) {
    url = `docs/rules/${ruleId}.md`;
    docUrls.set(ruleId, url);
  }
  return url;
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/** Files, then position, then rule: the order every reporter prints. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.line - b.line ||
    a.column - b.column ||
    (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0)
  );
}
