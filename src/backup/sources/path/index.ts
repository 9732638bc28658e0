import { errorMessage } from '../../../core/errors.js';
import { isAbortError } from '../../../core/exec.js';
import type { DrillCheck, RestoreContext, SourceContext, SourceDriver, SourceSnapshot } from '../../types.js';
import { pathFilter } from '../shared/filter.js';
import { restoreTree } from '../shared/restore-tree.js';
import { countTree, statRoot, walkTree } from '../shared/walk.js';
import type { PathSourceConfig } from './schema.js';

async function snapshot(config: PathSourceConfig, ctx: SourceContext): Promise<SourceSnapshot> {
  // Fail now, not on the engine's first pull, when the directory is missing.
  await statRoot(config.path);
  return {
    entries: walkTree(config.path, {
      filter: pathFilter(config.include, config.exclude),
      oneFileSystem: config.one_file_system,
      signal: ctx.signal,
      warn: (message, details) => ctx.warn(message, { source: config.name, ...details }),
    }),
    meta: { path: config.path },
    cleanup: async () => {},
  };
}

async function restoreInPlace(
  config: PathSourceConfig,
  extractedDir: string,
  ctx: RestoreContext,
): Promise<void> {
  await restoreTree(extractedDir, config.path, ctx.signal);
}

/** Content hashes are the engine's job; here, that the tree is there and walkable. */
async function drillCheck(
  _config: PathSourceConfig,
  extractedDir: string,
  ctx: RestoreContext,
): Promise<DrillCheck> {
  try {
    const stats = await countTree(extractedDir, ctx.signal);
    return {
      ok: true,
      message: `${stats.files} files, ${stats.bytes} bytes, ${stats.directories} directories, ${stats.symlinks} symlinks`,
      details: { ...stats },
    };
  } catch (err) {
    if (isAbortError(err)) throw err;
    return { ok: false, message: errorMessage(err) };
  }
}

export const pathSource: SourceDriver<PathSourceConfig> = {
  type: 'path',
  snapshot,
  restoreInPlace,
  drillCheck,
};
