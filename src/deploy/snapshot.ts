import fs from 'node:fs';
import type { ResolvedConfig } from '../config/resolve.js';
import type { ServiceDeployment } from '../store/index.js';
import { snapshotCompose } from './compose/index.js';
import type { DesiredService } from './render.js';
import { deployDir } from './stack.js';

/**
 * What a rollback re-applies: for compose the files (and .env, env_files) exactly as they ran,
 * for native the release directory (kept by releases.keep) named in the definition.
 */
export async function prepareSnapshot(
  config: ResolvedConfig,
  row: ServiceDeployment,
  stackDir: string,
  desired: DesiredService,
): Promise<string> {
  const dir = deployDir(config, 'snapshots', row.service, row.id);
  fs.mkdirSync(deployDir(config, 'snapshots', row.service), { recursive: true, mode: 0o700 });
  if (desired.compose) snapshotCompose(stackDir, desired.compose.files, dir);
  else fs.mkdirSync(dir, { mode: 0o700 });
  return dir;
}
