import path from 'node:path';
import type { Finding } from '../findings.js';

/**
 * The finding's path as CI tools want it: relative to the working directory (where the
 * repository is checked out) and with forward slashes, whatever the OS.
 */
export function portablePath(file: string, cwd: string = process.cwd()): string {
  const relative = path.isAbsolute(file) ? path.relative(cwd, file) : file;
  // On Windows a file on another drive has no relative path: keep it absolute.
  return (relative === '' ? '.' : relative).split(path.sep).join('/');
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Findings by file, in the order the files were given, then any file only a finding names. */
export function groupByFile<F extends Finding>(
  files: readonly string[],
  findings: readonly F[],
): Map<string, F[]> {
  const groups = new Map<string, F[]>(files.map((f) => [f, []]));
  for (const f of findings) {
    const group = groups.get(f.file);
    if (group) group.push(f);
    else groups.set(f.file, [f]);
  }
  return groups;
}

/** The same test as the exit code's (policy/cli-run.ts), so the message and the exit status agree. */
export function tooManyWarnings(warnings: number, maxWarnings: number | undefined): boolean {
  return maxWarnings !== undefined && warnings > maxWarnings;
}
