import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Helpers for the gitops tests (not used at run time): a work repository whose commits are
 * pushed to a bare "remote", reachable through a file:// URL — real git, no network.
 */
export interface GitFixture {
  root: string;
  work: string;
  remote: string;
  url: string;
  /** Writes files (content, or { content, mode }) and deletes those given as null, then commits and pushes. */
  commit(
    message: string,
    files: Record<string, string | { content: string; mode: number } | null>,
  ): Promise<string>;
  git(args: string[], cwd?: string): Promise<string>;
  cleanup(): Promise<void>;
}

const testEnv = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: os.tmpdir(),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  LC_ALL: 'C',
};

export async function gitFixture(branch = 'main'): Promise<GitFixture> {
  const { execa } = await import('execa');
  const root = await mkdtemp(path.join(os.tmpdir(), 'steward-gitops-'));
  const work = path.join(root, 'work');
  const remote = path.join(root, 'remote.git');
  const git = async (args: string[], cwd = work) => {
    const r = await execa(
      'git',
      [
        '-c',
        'user.name=Test Author',
        '-c',
        'user.email=author@example.test',
        '-c',
        'commit.gpgsign=false',
        ...args,
      ],
      { cwd, env: testEnv, extendEnv: false },
    );
    return r.stdout;
  };
  await git(['init', '--quiet', '--bare', remote], root);
  await git(['init', '--quiet', '-b', branch, work], root);
  await git(['remote', 'add', 'origin', remote]);

  return {
    root,
    work,
    remote,
    url: pathToFileURL(remote).href,
    git,
    async commit(message, files) {
      for (const [rel, spec] of Object.entries(files)) {
        const file = path.join(work, rel);
        if (spec === null) {
          await rm(file, { force: true });
          continue;
        }
        await mkdir(path.dirname(file), { recursive: true });
        const { content, mode } = typeof spec === 'string' ? { content: spec, mode: 0o644 } : spec;
        await writeFile(file, content);
        await chmod(file, mode);
      }
      await git(['add', '--all']);
      await git(['commit', '--quiet', '--allow-empty', '-m', message]);
      await git(['push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`]);
      return (await git(['rev-parse', 'HEAD'])).trim();
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}
