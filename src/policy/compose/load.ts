import fs from 'node:fs';
import path from 'node:path';
import { parseYaml } from '../yaml/parse.js';
import { AliasBudgetError, DuplicateKeyError, resolveDocument, UnknownAliasError } from '../yaml/resolve.js';
import { readEnvFile } from './env-file.js';
import { type Env, interpolateString } from './interpolate.js';
import { mergeMaps } from './merge.js';
import { type CMap, type CNode, entry, get, type Loc, stringItems, text } from './nodes.js';
import type { ComposeProblem, ComposeProject, ServiceModel, SourceFile } from './project.js';

export interface LoadOptions {
  /** Variables for `${VAR}`; defaults to the process environment over the project's `.env`. */
  env?: Env;
  /** Read a file; defaults to fs (tests and the benchmark pass their own). */
  read?: (file: string) => Buffer;
}

const composeKeys = new Set([
  'services',
  'volumes',
  'networks',
  'secrets',
  'configs',
  'version',
  'name',
  'include',
]);
const utf8 = new TextDecoder('utf-8', { fatal: true });

interface Layer {
  services: Map<string, { node: CMap; keyLoc: Loc }>;
  root: CMap;
}

/** Loads compose files the way `docker compose -f a -f b` reads them, keeping every location. */
export function loadProject(paths: string[], opts: LoadOptions = {}): ComposeProject {
  const read = opts.read ?? ((file: string) => fs.readFileSync(file));
  const files: SourceFile[] = [];
  const problems: ComposeProblem[] = [];
  const projectDir = path.dirname(path.resolve(paths[0] ?? '.'));
  const env: Env = opts.env ?? projectEnv(projectDir);
  const substitute = (text: string) => interpolateString(text, env);
  const fileLayers = new Map<string, Layer[] | undefined>();

  const problem = (file: number, offset: number, message: string, hint: string) => {
    problems.push({ file, offset, message, hint });
  };

  /** Parses one file into layers (one per YAML document), or undefined after recording why not. */
  const loadFile = (filePath: string): Layer[] | undefined => {
    const abs = path.resolve(filePath);
    if (fileLayers.has(abs)) return fileLayers.get(abs);
    fileLayers.set(abs, undefined); // an extends cycle through files ends here
    const index = files.length;
    let bytes: Buffer;
    try {
      bytes = read(abs);
    } catch (err) {
      files.push({ path: filePath, text: '' });
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      problem(index, 0, `cannot read the file (${code})`, 'check the path and its permissions');
      return undefined;
    }
    let source: string;
    try {
      // The native decoder is much faster; it replaces bad bytes with U+FFFD, so only then
      // does the strict one decide whether the file really is not UTF-8.
      source = bytes.toString('utf8');
      if (source.includes('\uFFFD')) source = utf8.decode(bytes);
      else if (source.charCodeAt(0) === 0xfeff) source = source.slice(1); // as TextDecoder drops a BOM
    } catch {
      files.push({ path: filePath, text: '' });
      problem(index, 0, 'the file is not UTF-8 text', 'save the compose file as UTF-8');
      return undefined;
    }
    files.push({ path: filePath, text: source });
    const layers = parseLayers(source, index);
    fileLayers.set(abs, layers);
    if (layers) {
      for (const layer of layers) resolveExtends(layer, abs, index);
    }
    return layers;
  };

  const parseLayers = (source: string, index: number): Layer[] | undefined => {
    const docs = parseYaml(source);
    const layers: Layer[] = [];
    for (const doc of docs) {
      const first = doc.errors[0];
      if (first) {
        problem(index, first.offset, `not valid YAML: ${first.message}`, 'fix the YAML syntax first');
        return undefined;
      }
      const contents = doc.contents;
      // An empty document (a trailing `---`, only comments) is skipped, as compose does.
      if (!contents || (contents.kind === 'scalar' && contents.value === null)) continue;
      let root: CNode;
      try {
        root = resolveDocument(contents, index, substitute);
      } catch (err) {
        if (err instanceof DuplicateKeyError) {
          problem(
            index,
            err.offset,
            err.message,
            'keep one of the two; if both were meant, merge their values',
          );
          return undefined;
        }
        if (err instanceof UnknownAliasError) {
          problem(index, err.offset, err.message, 'define the anchor (&name) before the alias uses it');
          return undefined;
        }
        if (!(err instanceof AliasBudgetError)) throw err;
        problem(index, contents.start, err.message, 'write the values out instead of nesting aliases');
        return undefined;
      }
      const layer = toLayer(root, index);
      if (!layer) return undefined;
      layers.push(layer);
    }
    if (layers.length === 0) {
      problem(index, 0, 'the file is empty', 'a compose file declares at least `services:`');
      return undefined;
    }
    return layers;
  };

  const toLayer = (root: CNode, index: number): Layer | undefined => {
    if (root.kind !== 'map') {
      problem(
        index,
        root.loc.start,
        'not a compose file: the top level must be a mapping',
        'start with `services:`',
      );
      return undefined;
    }
    if (!root.entries.some((e) => composeKeys.has(e.key))) {
      problem(
        index,
        root.loc.start,
        'not a compose file: no `services:` key',
        'declare the services under `services:`',
      );
      return undefined;
    }
    const services = new Map<string, { node: CMap; keyLoc: Loc }>();
    const servicesEntry = entry(root, 'services');
    if (servicesEntry) {
      const value = servicesEntry.value;
      if (value.kind === 'scalar' && value.value === null) {
        // `services:` with nothing under it: no services, not an error.
      } else if (value.kind !== 'map') {
        problem(
          index,
          value.loc.start,
          '`services` must be a mapping of service names',
          'write `services:` then one indented key per service',
        );
        return undefined;
      } else {
        for (const e of value.entries) {
          if (e.value.kind !== 'map') {
            problem(
              index,
              e.value.loc.start,
              `service "${e.key}" must be a mapping`,
              'give the service at least `image:` or `build:`',
            );
            return undefined;
          }
          services.set(e.key, { node: e.value, keyLoc: e.keyLoc });
        }
      }
    }
    return { services, root: { ...root, entries: root.entries.filter((e) => e.key !== 'services') } };
  };

  const resolveExtends = (layer: Layer, abs: string, index: number) => {
    const resolving = new Set<string>();
    const resolveOne = (name: string): CMap | undefined => {
      const svc = layer.services.get(name);
      if (!svc) return undefined;
      const ext = entry(svc.node, 'extends');
      if (!ext) return svc.node;
      if (resolving.has(name)) {
        problem(
          index,
          ext.keyLoc.start,
          `service "${name}" extends itself (a cycle)`,
          'break the extends chain',
        );
        return svc.node;
      }
      resolving.add(name);
      const baseName = text(ext.value) ?? text(get(ext.value, 'service'));
      const baseFile = text(get(ext.value, 'file'));
      let base: CMap | undefined;
      if (baseFile) {
        const other = loadFile(path.resolve(path.dirname(abs), baseFile));
        const found = other?.map((l) => l.services.get(baseName ?? '')).filter((s) => s !== undefined);
        base = found?.length ? found.map((s) => s.node).reduce((a, b) => mergeMaps(a, b)) : undefined;
      } else if (baseName) {
        base = resolveOne(baseName);
      }
      resolving.delete(name);
      if (!base) {
        problem(
          index,
          ext.value.loc.start,
          `service "${name}" extends "${baseName ?? '?'}", which is not defined`,
          'name a service that exists',
        );
        return svc.node;
      }
      const own: CMap = { ...svc.node, entries: svc.node.entries.filter((e) => e.key !== 'extends') };
      const merged = mergeMaps({ ...base, loc: svc.node.loc }, own);
      layer.services.set(name, { node: merged, keyLoc: svc.keyLoc });
      return merged;
    };
    for (const name of [...layer.services.keys()]) resolveOne(name);
  };

  const merged = new Map<string, ServiceModel>();
  let root: CMap | undefined;
  for (const p of paths) {
    for (const layer of loadFile(p) ?? []) {
      root = root ? mergeMaps(root, layer.root) : layer.root;
      for (const [name, svc] of layer.services) {
        const existing = merged.get(name);
        const node = existing ? mergeMaps(existing.node, svc.node) : svc.node;
        merged.set(name, { name, node, keyLoc: existing?.keyLoc ?? svc.keyLoc, profiles: [] });
      }
    }
  }
  const services = [...merged.values()].map((s) => ({
    ...s,
    profiles: stringItems(get(s.node, 'profiles')).map((p) => p.value),
  }));
  return { files, services, root, problems };
}

// Reading process.env is slow (every key is a call into the runtime): copy it once per run,
// and read each directory's .env once, for the thousands of files a CI lint may pass.
let processEnv: Env | undefined;
const envByDir = new Map<string, Env>();

function projectEnv(dir: string): Env {
  let env = envByDir.get(dir);
  if (!env) {
    processEnv ??= { ...process.env };
    env = { ...readEnvFile(path.join(dir, '.env')), ...processEnv };
    envByDir.set(dir, env);
  }
  return env;
}
