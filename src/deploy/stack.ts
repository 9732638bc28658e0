import fs from 'node:fs';
import path from 'node:path';
import type { ResolvedConfig } from '../config/resolve.js';
import { GitSource } from './gitops/index.js';
import type { Stack } from './render.js';

/** Where deploy keeps its files under the data dir. */
export function deployDir(config: ResolvedConfig, ...parts: string[]): string {
  return path.join(config.data_dir, 'deploy', ...parts);
}

export function gitSourceOf(config: ResolvedConfig): GitSource | null {
  const git = config.deploy.source.git;
  if (!git) return null;
  return new GitSource(
    {
      url: git.url,
      branch: git.branch,
      ...(git.path ? { path: git.path } : {}),
      ...(git.ssh_key_file ? { sshKeyFile: git.ssh_key_file } : {}),
    },
    deployDir(config, 'git'),
  );
}

/**
 * The desired state on disk. From git: fetch, then the tree at the commit (the branch head
 * unless one is named) exported once per commit. Without git: the directory of steward.yaml.
 */
export async function prepareStack(
  config: ResolvedConfig,
  opts: { commit?: string | null; source?: GitSource | null } = {},
): Promise<Stack> {
  const source = opts.source === undefined ? gitSourceOf(config) : opts.source;
  if (!source) return { dir: config.source.dir, commit: null };
  // Always fetch: a webhook names a commit the mirror may not have yet.
  const head = await source.fetch();
  const commit = opts.commit ?? head.commit;
  const dir = deployDir(config, 'trees', commit);
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o700 });
    await source.export(commit, dir);
  }
  return { dir, commit };
}

/** Keeps the exported trees of the newest `keep` commits and any still referenced. */
export function pruneTrees(config: ResolvedConfig, referenced: ReadonlySet<string>, keep = 5): void {
  const root = deployDir(config, 'trees');
  if (!fs.existsSync(root)) return;
  const trees = fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.includes('.tmp-'))
    .map((e) => ({ name: e.name, mtime: fs.statSync(path.join(root, e.name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const tree of trees.slice(keep)) {
    if (!referenced.has(tree.name)) fs.rmSync(path.join(root, tree.name), { recursive: true, force: true });
  }
}

/**
 * The compose project directory for a git stack: one stable directory per project that the
 * tree's files are copied into, so relative bind mounts find the repository's files and data
 * written beside them survives from one commit to the next (files deleted in git stay).
 */
export function syncWorkDir(config: ResolvedConfig, project: string, treeDir: string): string {
  const work = deployDir(config, 'work', project);
  fs.mkdirSync(work, { recursive: true, mode: 0o700 });
  fs.cpSync(treeDir, work, { recursive: true, force: true, preserveTimestamps: true });
  return work;
}
