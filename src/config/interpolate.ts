import fs from 'node:fs';
import path from 'node:path';
import { formatPath } from './issues.js';

/**
 * `${ENV_NAME}` and `${file:/path}` references in string values. The substituted value
 * is a secret by assumption: its key path is recorded so that nothing prints it back
 * (errors, logs, --json output). `$${` writes a literal `${`.
 */
export interface InterpolationProblem {
  path: PropertyKey[];
  message: string;
  hint: string;
}

export interface InterpolationResult {
  value: unknown;
  secretPaths: string[];
  problems: InterpolationProblem[];
}

const reference = /\$\$\{|\$\{([^}]*)\}/g;

export function interpolate(
  value: unknown,
  opts: { env: NodeJS.ProcessEnv; baseDir: string },
): InterpolationResult {
  const secretPaths: string[] = [];
  const problems: InterpolationProblem[] = [];

  const visit = (node: unknown, at: PropertyKey[]): unknown => {
    if (typeof node === 'string') return substitute(node, at);
    if (Array.isArray(node)) return node.map((item, i) => visit(item, [...at, i]));
    if (node && typeof node === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) out[k] = visit(v, [...at, k]);
      return out;
    }
    return node;
  };

  const substitute = (text: string, at: PropertyKey[]): string => {
    if (!text.includes('${')) return text;
    let secret = false;
    const out = text.replace(reference, (whole, ref: string | undefined) => {
      if (whole === '$${') return '${';
      secret = true;
      const name = (ref ?? '').trim();
      if (name.startsWith('file:')) {
        const file = path.resolve(opts.baseDir, name.slice(5));
        try {
          return fs.readFileSync(file, 'utf8').replace(/\r?\n$/, '');
        } catch (err) {
          problems.push({
            path: at,
            message: `cannot read the file a \${file:…} reference names (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
            hint: `check that ${file} exists and is readable by this user`,
          });
          return '';
        }
      }
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        problems.push({
          path: at,
          message: `\${${name}} is not a valid reference`,
          hint: 'write ${ENV_NAME} for an environment variable or ${file:/path} for a file; $${ for a literal ${',
        });
        return '';
      }
      const found = opts.env[name];
      if (found === undefined) {
        problems.push({
          path: at,
          message: `environment variable ${name} is not set`,
          hint: `export ${name} before starting Steward (or put it in the unit's EnvironmentFile)`,
        });
        return '';
      }
      return found;
    });
    if (secret) secretPaths.push(formatPath(at));
    return out;
  };

  return { value: visit(value, []), secretPaths, problems };
}
