import fs from 'node:fs';
import path from 'node:path';
import { StewardError } from '../core/errors.js';
import { interpolate } from './interpolate.js';
import { type ConfigIssue, formatPath } from './issues.js';
import { type ResolvedConfig, resolveConfig } from './resolve.js';
import { configSchema } from './schema.js';
import { locate, parseYaml } from './yaml-source.js';
import { toConfigIssues } from './zod-issues.js';

export interface ConfigLocation {
  /** From -c/--config. */
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** -c/--config, then STEWARD_CONFIG, then ./steward.yaml. */
export function findConfigFile(opts: ConfigLocation = {}): string {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const chosen = opts.file || env.STEWARD_CONFIG || 'steward.yaml';
  const file = path.resolve(cwd, chosen);
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
    const from = opts.file ? '--config' : env.STEWARD_CONFIG ? 'STEWARD_CONFIG' : 'the current directory';
    throw new StewardError('E_CONFIG', `no config file at ${file} (from ${from})`, {
      hint: 'pass -c /path/to/steward.yaml, set STEWARD_CONFIG, or create one with `steward init`',
    });
  }
  return file;
}

export type CheckResult =
  | { ok: true; config: ResolvedConfig }
  | { ok: false; file: string; issues: ConfigIssue[] };

/** Reads, validates and resolves a config file, collecting every problem at once. */
export function checkConfig(opts: ConfigLocation = {}): CheckResult {
  const file = findConfigFile(opts);
  const display = path.relative(opts.cwd ?? process.cwd(), file) || file;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new StewardError('E_CONFIG', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`, {
      hint: 'check the file permissions',
    });
  }
  return checkConfigText(text, { file, display, env: opts.env ?? process.env });
}

export function checkConfigText(
  text: string,
  opts: { file: string; display?: string; env?: NodeJS.ProcessEnv },
): CheckResult {
  const src = parseYaml(opts.display ?? opts.file, text);
  const baseDir = path.dirname(path.resolve(opts.file));
  const issues: ConfigIssue[] = [];

  for (const err of src.doc.errors) {
    const pos = src.lines.linePos(err.pos[0]);
    issues.push({
      file: src.file,
      line: pos.line,
      column: pos.col,
      path: '',
      message: err.message.split('\n')[0] ?? err.message,
      hint: 'fix the YAML syntax first (indentation, quotes, a ":" after each key)',
    });
  }
  if (issues.length) return { ok: false, file: opts.file, issues };

  const written = src.doc.toJS() ?? {};
  if (typeof written !== 'object' || Array.isArray(written)) {
    const pos = locate(src, []);
    issues.push({
      file: src.file,
      ...pos,
      path: '',
      message: 'expected a mapping of keys at the top level',
      hint: 'start with "version: 1"',
    });
    return { ok: false, file: opts.file, issues };
  }

  const interpolated = interpolate(written, { env: opts.env ?? process.env, baseDir });
  for (const problem of interpolated.problems) {
    issues.push({
      file: src.file,
      ...locate(src, problem.path),
      path: formatPath(problem.path),
      message: problem.message,
      hint: problem.hint,
    });
  }

  const schema = configSchema({ baseDir });
  const parsed = schema.safeParse(interpolated.value);
  if (!parsed.success)
    issues.push(
      ...toConfigIssues(src, schema, interpolated.value, parsed.error.issues, interpolated.secretPaths),
    );
  if (issues.length || !parsed.success) {
    return {
      ok: false,
      file: opts.file,
      issues: issues.sort((a, b) => a.line - b.line || a.column - b.column),
    };
  }
  return {
    ok: true,
    config: resolveConfig(parsed.data, {
      file: path.resolve(opts.file),
      secretPaths: interpolated.secretPaths,
    }),
  };
}

/** Like checkConfig, but throws one E_CONFIG error carrying every issue. */
export function loadConfig(opts: ConfigLocation = {}): ResolvedConfig {
  const result = checkConfig(opts);
  if (result.ok) return result.config;
  throw configError(result.file, result.issues);
}

export function configError(file: string, issues: ConfigIssue[]): StewardError {
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  return new StewardError('E_CONFIG', `${path.basename(file)} has ${count}`, {
    details: { issues },
    hint: 'fix each problem above; `steward validate` checks the file without starting anything',
  });
}
