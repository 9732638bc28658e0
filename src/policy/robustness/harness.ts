/**
 * Test helpers for the robustness tests: compose files fed from memory, one call to load and
 * lint them, and the invariants every lint result must keep whatever the input.
 */
import path from 'node:path';
import type { Env } from '../compose/interpolate.js';
import { loadProject } from '../compose/load.js';
import type { ComposeProject } from '../compose/project.js';
import type { Finding, LintResult } from '../findings.js';
import { type LintOptions, lintProject } from '../lint.js';
import { metaRules, rulesById } from '../rules/index.js';

/**
 * A `read` for loadProject over an in-memory map. The loader hands `read` absolute paths
 * (resolved against the cwd, and against the including file for `extends: file:`), so the
 * map's relative names are resolved the same way.
 */
export function memoryRead(files: Readonly<Record<string, string | Buffer>>): (file: string) => Buffer {
  const byPath = new Map(Object.entries(files).map(([name, body]) => [path.resolve(name), body]));
  return (file) => {
    const body = byPath.get(path.resolve(file));
    if (body === undefined) {
      throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
    }
    return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  };
}

export interface Linted {
  project: ComposeProject;
  result: LintResult;
}

/** Loads `paths` (default: every file, in order) from memory and lints the project. */
export function lintMemory(
  files: Readonly<Record<string, string | Buffer>>,
  opts: { paths?: string[]; env?: Env; lint?: LintOptions } = {},
): Linted {
  const project = loadProject(opts.paths ?? Object.keys(files), {
    env: opts.env ?? {},
    read: memoryRead(files),
  });
  return { project, result: lintProject(project, opts.lint ?? {}) };
}

/** The one finding of a rule, failing loudly (with what there was) when there is not exactly one. */
export function only<F extends Finding>(findings: readonly F[], ruleId: string): F {
  const found = findings.filter((f) => f.ruleId === ruleId);
  const first = found[0];
  if (found.length !== 1 || !first) {
    const seen = findings.map((f) => `${f.ruleId}@${f.file}:${f.line}:${f.column}`).join(', ');
    throw new Error(`expected exactly one ${ruleId} finding, got ${found.length}: [${seen}]`);
  }
  return first;
}

/** line:column-endLine:endColumn, so a wrong span shows whole in the assertion diff. */
export function span(f: Finding): string {
  return `${f.line}:${f.column}-${f.endLine}:${f.endColumn}`;
}

const knownRule = (id: string) => rulesById.has(id) || id in metaRules;

/**
 * What must hold for any input: a verdict (a finding, or a clean load), every problem
 * reported as invalid-compose, and every finding located inside a file of the project.
 * Returns the broken invariants (empty when all hold) rather than throwing, so the caller
 * can print them with the input that broke them.
 */
export function invariantViolations({ project, result }: Linted): string[] {
  const out: string[] = [];
  if (result.findings.length === 0 && project.problems.length > 0) {
    out.push(`no findings although the load had problems: ${JSON.stringify(project.problems)}`);
  }
  if (project.problems.length > 0 && !result.findings.some((f) => f.ruleId === 'invalid-compose')) {
    out.push('load problems but no invalid-compose finding');
  }
  const all: Finding[] = [...result.findings, ...result.suppressed];
  const linesOf = new Map<string, string[]>();
  for (const f of all) {
    const where = `${f.ruleId}@${f.file}:${f.line}:${f.column}-${f.endLine}:${f.endColumn}`;
    if (!f.ruleId || !knownRule(f.ruleId)) out.push(`unknown rule id: ${where}`);
    if (!f.file) out.push(`finding without a file: ${where}`);
    if (!Number.isInteger(f.line) || f.line < 1) out.push(`line < 1: ${where}`);
    if (!Number.isInteger(f.column) || f.column < 1) out.push(`column < 1: ${where}`);
    if (f.endLine < f.line || (f.endLine === f.line && f.endColumn < f.column)) {
      out.push(`span ends before it starts: ${where}`);
    }
    const file = project.files.find((s) => s.path === f.file);
    if (!file) {
      out.push(`finding in a file the project does not have: ${where}`);
      continue;
    }
    // A position past the end of its line or of the file points at nothing a person can find.
    // Lines split on \n only, as positions.ts counts them (a \r stays part of its line).
    const lines = linesOf.get(f.file) ?? file.text.split('\n');
    linesOf.set(f.file, lines);
    if (f.line > lines.length || f.endLine > lines.length) {
      out.push(`line past the end of the file (${lines.length} lines): ${where}`);
    } else if (f.column > (lines[f.line - 1] ?? '').length + 1) {
      out.push(`column past the end of its line: ${where}`);
    }
  }
  return out;
}
