import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, lstat, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { StewardError } from '../../core/errors.js';
import { gitEnv, runGit, shellQuote } from './git-run.js';
import { displayUrl, urlSecrets } from './redact.js';
import { listTree, treeHash } from './tree-hash.js';
import { normalizeStackPath, validateBranch, validateCommit } from './validate.js';

export interface GitSourceSpec {
  /** Any URL git understands: file:///…, /path, ssh://git@host/repo.git, https://… */
  url: string;
  branch: string;
  /** Sub-directory of the repository holding the stack (e.g. "stack/"); default the root. */
  path?: string;
  /** Private key for ssh URLs. */
  sshKeyFile?: string;
  /** Per git command; default 120 s. */
  timeoutMs?: number;
}

export interface FetchedRevision {
  commit: string;
  subject: string;
  author: string;
  /** UTC, ISO-8601 with milliseconds. */
  committedAt: string;
}

export interface ExportedTree {
  files: string[];
  treeHash: string;
}

const defaultTimeoutMs = 120_000;

/**
 * A git repository followed on one branch, through a bare mirror in `cacheDir`. All operations
 * on the mirror run one at a time (one promise chain): git takes locks, and an export must not
 * race the fetch that brings its commit in.
 */
export class GitSource {
  readonly branch: string;
  /** The stack directory inside the repository, normalised ('' = root). */
  readonly path: string;
  /** The URL without credentials, for logs and status. */
  readonly displayUrl: string;
  readonly #spec: GitSourceSpec;
  readonly #repo: string;
  readonly #cacheDir: string;
  readonly #secrets: string[];
  readonly #timeoutMs: number;
  #chain: Promise<unknown> = Promise.resolve();

  constructor(spec: GitSourceSpec, cacheDir: string) {
    if (spec.url.trim() === '' || /[\0\n\r]/.test(spec.url)) {
      throw new StewardError('E_CONFIG', 'invalid git URL', { hint: 'any URL git understands, or a path' });
    }
    this.#spec = spec;
    this.branch = validateBranch(spec.branch);
    this.path = normalizeStackPath(spec.path);
    this.displayUrl = displayUrl(spec.url);
    this.#secrets = urlSecrets(spec.url);
    this.#cacheDir = resolve(cacheDir);
    this.#repo = join(this.#cacheDir, 'repo.git');
    this.#timeoutMs = spec.timeoutMs ?? defaultTimeoutMs;
  }

  /** Runs `fn` after every operation queued before it, whatever their outcome. */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn, fn);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  #git(args: string[], what: string, opts: { signal?: AbortSignal; hint?: string; remote?: boolean } = {}) {
    const extra: Record<string, string | undefined> = {};
    if (opts.remote) {
      // The URL goes in through the environment: not on a command line any local user can read
      // with ps, and not on disk in the mirror's config.
      extra.GIT_CONFIG_COUNT = '1';
      extra.GIT_CONFIG_KEY_0 = 'remote.origin.url';
      extra.GIT_CONFIG_VALUE_0 = this.#spec.url;
      if (this.#spec.sshKeyFile !== undefined) {
        extra.GIT_SSH_COMMAND = `ssh -i ${shellQuote(resolve(this.#spec.sshKeyFile))} -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=accept-new`;
      }
    }
    return runGit(['--git-dir', this.#repo, ...args], {
      env: gitEnv(extra),
      timeoutMs: this.#timeoutMs,
      signal: opts.signal,
      secrets: this.#secrets,
      what,
      hint: opts.hint,
    });
  }

  async #ensureRepo(signal?: AbortSignal): Promise<void> {
    await mkdir(this.#cacheDir, { recursive: true, mode: 0o700 });
    await chmod(this.#cacheDir, 0o700);
    if (existsSync(join(this.#repo, 'HEAD'))) return;
    await runGit(['init', '--bare', '--quiet', this.#repo], {
      env: gitEnv(),
      timeoutMs: this.#timeoutMs,
      signal,
      secrets: [],
      what: 'init',
    });
  }

  /** Fetches the branch into the mirror and returns its head. */
  fetch(signal?: AbortSignal): Promise<FetchedRevision> {
    return this.#serial(async () => {
      await this.#ensureRepo(signal);
      const ref = `refs/heads/${this.branch}`;
      await this.#git(
        ['fetch', '--quiet', '--prune', '--no-tags', '--no-write-fetch-head', 'origin', `+${ref}:${ref}`],
        'fetch',
        {
          signal,
          remote: true,
          hint: `check that ${this.displayUrl} is reachable, that branch "${this.branch}" exists and that Steward may read it`,
        },
      );
      return this.#describe(ref, signal);
    });
  }

  async #describe(rev: string, signal?: AbortSignal): Promise<FetchedRevision> {
    const out = await this.#git(
      ['log', '-1', '--no-show-signature', '--format=%H%x00%cI%x00%an <%ae>%x00%s', rev, '--'],
      'log',
      {
        signal,
      },
    );
    const [commit = '', committed = '', author = '', subject = ''] = out.replace(/\n$/, '').split('\0');
    const at = new Date(committed);
    if (!/^[0-9a-f]{40,64}$/.test(commit) || Number.isNaN(at.getTime())) {
      throw new StewardError('E_EXTERNAL', `git log gave an unexpected answer for ${rev}`);
    }
    return { commit, subject, author, committedAt: at.toISOString() };
  }

  async #requireCommit(commit: string): Promise<string> {
    const id = validateCommit(commit);
    try {
      const out = await this.#git(['rev-parse', '--verify', '--quiet', `${id}^{commit}`], 'rev-parse');
      return out.trim();
    } catch {
      throw new StewardError('E_NOT_FOUND', `commit ${id} is not in the git cache`, {
        hint: 'fetch the branch that contains it first',
      });
    }
  }

  /** `<commit>:<path>` when the stack is in a sub-directory, after checking it is one. */
  async #stackTree(commit: string): Promise<string> {
    if (this.path === '') return `${commit}^{tree}`;
    const spec = `${commit}:${this.path}`;
    let type: string;
    try {
      type = (await this.#git(['cat-file', '-t', spec], 'cat-file')).trim();
    } catch {
      throw new StewardError(
        'E_NOT_FOUND',
        `the stack path "${this.path}" does not exist at commit ${commit.slice(0, 12)}`,
        {
          hint: 'check `path` of the git source against the repository',
        },
      );
    }
    if (type !== 'tree') {
      throw new StewardError('E_CONFIG', `the stack path "${this.path}" is a ${type}, not a directory`, {
        hint: 'point `path` of the git source at a directory',
      });
    }
    return spec;
  }

  /**
   * Writes the stack's files at `commit` into `destDir`, which must not exist: they are
   * extracted next to it and renamed into place, so a reader never sees half a tree.
   */
  export(commit: string, destDir: string): Promise<ExportedTree> {
    return this.#serial(async () => {
      const dest = resolve(destDir);
      const full = await this.#requireCommit(commit);
      const tree = await this.#stackTree(full);
      if (await exists(dest)) {
        throw new StewardError('E_CONFLICT', `export destination already exists: ${dest}`);
      }
      await mkdir(dirname(dest), { recursive: true });
      const tmp = `${dest}.tmp-${randomBytes(6).toString('hex')}`;
      const tarFile = `${tmp}.tar`;
      try {
        await mkdir(tmp, { mode: 0o755 });
        // tar.umask=022: 0644/0755 modes in the archive, whoever extracts it (root keeps them as is).
        await this.#git(['-c', 'tar.umask=022', 'archive', '--format=tar', '-o', tarFile, tree], 'archive');
        await runGit(['-x', '--no-same-owner', '-f', tarFile, '-C', tmp], {
          env: gitEnv(),
          timeoutMs: this.#timeoutMs,
          secrets: [],
          what: 'extract',
          file: 'tar',
        });
        const entries = await listTree(tmp);
        if (await exists(dest)) {
          throw new StewardError('E_CONFLICT', `export destination appeared while exporting: ${dest}`);
        }
        await rename(tmp, dest);
        return { files: entries.map((e) => e.path), treeHash: treeHash(entries) };
      } finally {
        await rm(tarFile, { force: true });
        await rm(tmp, { recursive: true, force: true });
      }
    });
  }

  /** Files (relative to the stack directory) that differ between two commits. */
  changedFiles(from: string, to: string): Promise<string[]> {
    return this.#serial(async () => {
      const a = await this.#requireCommit(from);
      const b = await this.#requireCommit(to);
      const scope = this.path === '' ? [] : [`--relative=${this.path}/`];
      const out = await this.#git(
        ['diff', '--name-only', '-z', '--no-renames', '--no-ext-diff', ...scope, a, b, '--'],
        'diff',
      );
      return out.split('\0').filter((p) => p !== '');
    });
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
