import { StewardError } from '../../core/errors.js';

/**
 * A branch name as `git check-ref-format --branch` accepts it, restricted further to a
 * conservative character set: the name ends up in a refspec and in log lines, and a name
 * starting with `-` could pass for an option.
 */
export function validateBranch(branch: string): string {
  const problem = branchProblem(branch);
  if (problem !== null) {
    throw new StewardError('E_CONFIG', `invalid git branch name ${JSON.stringify(branch)}: ${problem}`, {
      hint: 'use the plain branch name, e.g. "main" or "release/1.x" (not refs/heads/…)',
    });
  }
  return branch;
}

function branchProblem(b: string): string | null {
  if (b === '') return 'empty';
  if (b.length > 200) return 'too long';
  if (!/^[A-Za-z0-9._/+-]+$/.test(b)) return 'only letters, digits and . _ / + - are allowed';
  if (b.startsWith('-')) return 'must not start with "-"';
  if (b.startsWith('refs/')) return 'give the branch name without refs/heads/';
  if (b === 'HEAD') return '"HEAD" is not a branch';
  if (b.includes('..')) return 'must not contain ".."';
  if (b.startsWith('/') || b.endsWith('/') || b.includes('//')) return 'empty path component';
  if (b.endsWith('.')) return 'must not end with "."';
  for (const part of b.split('/')) {
    if (part.startsWith('.')) return 'a component must not start with "."';
    if (part.endsWith('.lock')) return 'a component must not end with ".lock"';
  }
  return null;
}

/**
 * The stack's directory inside the repository, normalised to `a/b` ('' for the root). A path
 * that could leave the repository (`..`, absolute) is refused rather than normalised away.
 */
export function normalizeStackPath(path: string | undefined): string {
  const raw = path ?? '';
  const fail = (why: string): never => {
    throw new StewardError(
      'E_CONFIG',
      `invalid stack path ${JSON.stringify(raw)} in the git source: ${why}`,
      {
        hint: 'a directory relative to the repository root, e.g. "stack/"',
      },
    );
  };
  if (/[\0\n\r]/.test(raw)) fail('control characters');
  if (raw.startsWith('/')) fail('must be relative to the repository root');
  if (raw.includes('\\')) fail('use "/" as the separator');
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) fail('must not contain ".."');
  // `:` would change the meaning of `<commit>:<path>`; no sane stack directory needs it.
  if (parts.some((p) => p.includes(':'))) fail('must not contain ":"');
  return parts.join('/');
}

/** A commit id as fetch returns it; anything else (a ref name, an option) is refused. */
export function validateCommit(commit: string): string {
  if (!/^[0-9a-f]{7,64}$/i.test(commit)) {
    throw new StewardError('E_USAGE', `not a commit id: ${JSON.stringify(commit.slice(0, 80))}`, {
      hint: 'pass the full hexadecimal commit id that fetch returned',
    });
  }
  return commit.toLowerCase();
}
