import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ResolvedConfig } from '../config/resolve.js';
import { canonicalJson } from '../core/canonical-json.js';
import { StewardError } from '../core/errors.js';
import { type CNode, defaultComposeFiles, defaultProjectName, loadProject } from '../policy/index.js';
import { toPlain } from './plain.js';

export type ServiceConfig = ResolvedConfig['services'][string];

/** Where the desired state lives: a git export, or the directory of steward.yaml. */
export interface Stack {
  dir: string;
  commit: string | null;
}

export interface DesiredService {
  name: string;
  kind: 'compose' | 'native';
  /** sha256 of the definition with every value resolved: equal hash, nothing to do. */
  configHash: string;
  /** What plan shows and diffs: values as written (an interpolated secret never appears). */
  definition: Record<string, unknown>;
  compose?: { files: string[]; project: string; services: string[] };
  native?: { source: string; version: string };
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

export function deployableServices(config: ResolvedConfig): string[] {
  return Object.entries(config.services)
    .filter(([, s]) => s.kind === 'compose' || s.kind === 'native')
    .map(([name]) => name)
    .sort();
}

export function renderService(config: ResolvedConfig, stack: Stack, name: string): DesiredService {
  const spec = config.services[name];
  if (!spec) {
    throw new StewardError('E_NOT_FOUND', `no service named ${name}`, {
      hint: 'see services: in steward.yaml',
    });
  }
  if (spec.kind === 'compose') return renderCompose(config, stack, name, spec);
  if (spec.kind === 'native') return renderNative(stack, name, spec);
  throw new StewardError('E_USAGE', `${name} is an external service: Steward does not deploy it`);
}

function renderCompose(
  config: ResolvedConfig,
  stack: Stack,
  name: string,
  spec: ServiceConfig,
): DesiredService {
  const files = spec.compose?.files.length
    ? [...spec.compose.files]
    : defaultComposeFiles(stack.dir).map((f) => path.relative(stack.dir, f));
  if (files.length === 0) {
    throw new StewardError('E_CONFIG', `${name}: no compose file in ${stack.dir}`, {
      hint: 'add compose.yaml there or set services.<name>.compose.files',
    });
  }
  const project = loadProject(files.map((f) => path.join(stack.dir, f)));
  if (project.problems.length) {
    const first = project.problems[0];
    const file = first ? (project.files[first.file]?.path ?? '') : '';
    throw new StewardError(
      'E_CONFIG',
      `${name}: ${path.relative(stack.dir, file) || file}: ${first?.message ?? 'invalid'}`,
      {
        hint: first?.hint ?? 'steward lint shows every problem',
      },
    );
  }
  const composeServices = spec.compose?.services ? [...spec.compose.services] : [name];
  const resolved: Record<string, unknown> = {};
  const written: Record<string, unknown> = {};
  for (const composeName of composeServices) {
    const model = project.services.find((s) => s.name === composeName);
    if (!model) {
      throw new StewardError('E_CONFIG', `${name}: no service "${composeName}" in ${files.join(', ')}`, {
        hint: `services there: ${project.services.map((s) => s.name).join(', ') || 'none'}`,
      });
    }
    resolved[composeName] = toPlain(model.node);
    written[composeName] = toWritten(model.node);
  }
  const projectName = spec.compose?.project ?? defaultProjectName(config);
  const shape = { kind: 'compose', project: projectName, files };
  return {
    name,
    kind: 'compose',
    configHash: sha256(canonicalJson({ ...shape, services: resolved })),
    definition: { ...shape, services: written },
    compose: { files, project: projectName, services: composeServices },
  };
}

/** Like toPlain, but with `${VAR}` references as written, so secrets from .env are never shown. */
function toWritten(node: CNode): unknown {
  if (node.kind === 'scalar') return node.raw ?? node.value;
  if (node.kind === 'seq') return node.items.map(toWritten);
  const out: Record<string, unknown> = {};
  for (const e of node.entries) out[e.key] = toWritten(e.value);
  return out;
}

function renderNative(stack: Stack, name: string, spec: ServiceConfig): DesiredService {
  const native = spec.native;
  if (!native) {
    throw new StewardError(
      'E_CONFIG',
      `${name}: a native service needs native: { releases_dir, current, run }`,
      {
        hint: 'see docs/deploy.md',
      },
    );
  }
  const source = path.resolve(stack.dir, native.source ?? name);
  if (!fs.existsSync(source)) {
    throw new StewardError(
      'E_CONFIG',
      `${name}: the release ${path.relative(stack.dir, source)} is not in the stack`,
      {
        hint: 'set services.<name>.native.source to a directory or .tar.gz in the stack',
      },
    );
  }
  const definition = {
    kind: 'native',
    source: path.relative(stack.dir, source),
    tree: treeHash(source),
    run: native.run,
    runner: native.runner,
    strategy: spec.strategy,
    port: native.port ?? null,
    blue_green: spec.blue_green ? { ports: spec.blue_green.ports, listen: spec.blue_green.listen } : null,
    env_file: native.env_file ? { path: native.env_file, sha256: fileHash(native.env_file) } : null,
  };
  const configHash = sha256(canonicalJson(definition));
  return {
    name,
    kind: 'native',
    configHash,
    definition,
    native: { source, version: configHash.slice(0, 12) },
  };
}

function fileHash(file: string): string | null {
  try {
    return sha256(fs.readFileSync(file));
  } catch {
    return null;
  }
}

/** Content hash of a release: a tarball's bytes, or every file's path, exec bit and content. */
export function treeHash(source: string): string {
  const stat = fs.statSync(source);
  if (!stat.isDirectory()) return sha256(fs.readFileSync(source));
  const entries: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs
      .readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(dir, entry.name);
      const rel = path.relative(source, full);
      if (entry.isDirectory()) walk(full);
      else if (entry.isSymbolicLink()) entries.push(`${rel}\0link\0${fs.readlinkSync(full)}`);
      else if (entry.isFile()) {
        const exec = (fs.statSync(full).mode & 0o111) !== 0 ? 'x' : '-';
        entries.push(`${rel}\0${exec}\0${sha256(fs.readFileSync(full))}`);
      }
    }
  };
  walk(source);
  return sha256(entries.join('\n'));
}
