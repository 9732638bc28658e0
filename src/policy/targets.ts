import fs from 'node:fs';
import path from 'node:path';
import type { ResolvedConfig } from '../config/resolve.js';

/** What one compose project is: the -f files merged, as docker compose reads them. */
export interface LintTarget {
  files: string[];
}

const defaultNames = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
const overrideNames = [
  'compose.override.yaml',
  'compose.override.yml',
  'docker-compose.override.yaml',
  'docker-compose.override.yml',
];

/** compose.yaml (and its override file) in a directory, the way `docker compose` finds them. */
export function defaultComposeFiles(dir: string): string[] {
  const main = defaultNames.map((n) => path.join(dir, n)).find((f) => fs.existsSync(f));
  if (!main) return [];
  const override = overrideNames.map((n) => path.join(dir, n)).find((f) => fs.existsSync(f));
  return override ? [main, override] : [main];
}

/** The compose project name Steward uses: stable across git commits (compose's own default is the directory name). */
export function defaultProjectName(config: ResolvedConfig): string {
  const base = path
    .basename(config.source.dir)
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '');
  return /^[a-z0-9]/.test(base) ? base : `steward${base}`;
}

/**
 * The compose projects of the configured services (policy.compose_files, each service's
 * compose.files, or the default beside steward.yaml). With a git source the files are the
 * deployed work copy of the repository (data_dir/deploy/work/<project>), once there is one.
 */
export function configuredTargets(config: ResolvedConfig): LintTarget[] {
  if (config.policy.compose_files?.length) return [{ files: [...config.policy.compose_files] }];
  const fromGit = config.deploy.source.git !== undefined;
  const seen = new Set<string>();
  const targets: LintTarget[] = [];
  let anyCompose = false;
  for (const service of Object.values(config.services)) {
    if (service.kind !== 'compose') continue;
    anyCompose = true;
    if (!service.compose && !fromGit) continue;
    const dir = fromGit
      ? path.join(config.data_dir, 'deploy', 'work', service.compose?.project ?? defaultProjectName(config))
      : config.source.dir;
    const files = service.compose
      ? service.compose.files.map((f) => path.resolve(dir, f))
      : defaultComposeFiles(dir);
    if (fromGit && !files.every((f) => fs.existsSync(f))) continue;
    const key = files.join('\0');
    if (files.length === 0 || seen.has(key)) continue;
    seen.add(key);
    targets.push({ files });
  }
  const needsDefault =
    !fromGit &&
    (targets.length === 0 ||
      (anyCompose && Object.values(config.services).some((s) => s.kind === 'compose' && !s.compose)));
  if (needsDefault) {
    const fallback = defaultComposeFiles(config.source.dir);
    if (fallback.length && !targets.some((t) => t.files[0] === fallback[0]))
      targets.push({ files: fallback });
  }
  return targets;
}

/** Compose service name → Steward service name, for compliance records. */
export function serviceNameMap(config: ResolvedConfig): Map<string, string> {
  const map = new Map<string, string>();
  for (const [name, service] of Object.entries(config.services)) {
    if (service.kind !== 'compose') continue;
    for (const composeName of service.compose?.services ?? [name]) map.set(composeName, name);
  }
  return map;
}
