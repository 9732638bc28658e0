import fs from 'node:fs';
import path from 'node:path';
import { StewardError } from '../../core/errors.js';

export interface ComposeTarget {
  /** The directory holding the compose files (a snapshot Steward made). */
  projectDir: string;
  /**
   * Where the files (and the generated override) are when not in projectDir: a snapshot, while
   * relative paths in them (bind mounts, build contexts) stay relative to the project directory.
   */
  filesDir?: string;
  /** Relative to filesDir (default projectDir), in -f order. */
  files: string[];
  /** Compose project name (-p). */
  project: string;
  /** Compose service names this Steward service covers. */
  services: string[];
  /** Optional env file (relative to projectDir or absolute), passed as --env-file. */
  envFile?: string;
  /** Labels added to each target service's containers, e.g. io.steward.config-hash. */
  labels: Record<string, string>;
  /** Added to the daemon's environment for compose; includes DOCKER_HOST. */
  env: NodeJS.ProcessEnv;
}

/** Generated next to the compose files; the last -f, so its labels win. */
export const OVERRIDE_FILE = '.steward-override.yml';

/** The names compose itself accepts unchanged (it lowercases and strips anything else). */
const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]*$/;
const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function checkTarget(t: ComposeTarget): void {
  if (!PROJECT_NAME.test(t.project)) {
    // Compose would rename it, and the label filters that find its containers would miss them.
    throw new StewardError('E_CONFIG', `not a compose project name: ${JSON.stringify(t.project)}`, {
      hint: 'use lowercase letters, digits, "-" and "_", starting with a letter or digit',
    });
  }
  if (t.files.length === 0) throw new StewardError('E_CONFIG', `compose project ${t.project} has no files`);
  for (const s of t.services) {
    // A name starting with "-" would be read as an option.
    if (!SERVICE_NAME.test(s))
      throw new StewardError('E_CONFIG', `not a compose service name: ${JSON.stringify(s)}`);
  }
}

/** The arguments every compose command of a target starts with: project, directory, env file, files. */
export function targetArgs(t: ComposeTarget, opts: { override?: boolean } = {}): string[] {
  checkTarget(t);
  const projectDir = path.resolve(t.projectDir);
  const filesDir = path.resolve(t.filesDir ?? t.projectDir);
  const args = ['-p', t.project, '--project-directory', projectDir];
  // Absolute: v1 and v2 disagree on what a relative --env-file is relative to.
  if (t.envFile !== undefined) args.push('--env-file', path.resolve(filesDir, t.envFile));
  for (const file of t.files) args.push('-f', path.resolve(filesDir, file));
  if (opts.override) args.push('-f', path.join(filesDir, OVERRIDE_FILE));
  return args;
}

export function overrideExists(t: ComposeTarget): boolean {
  return fs.existsSync(path.join(t.filesDir ?? t.projectDir, OVERRIDE_FILE));
}
