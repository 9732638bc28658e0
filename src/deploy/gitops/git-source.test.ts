import { existsSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, readlink, symlink } from 'node:fs/promises';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StewardError } from '../../core/errors.js';
import { GitSource } from './git-source.js';
import { type GitFixture, gitFixture } from './test-support.js';

let fx: GitFixture;
let source: GitSource;
let first: string;
let cacheDir: string;
let n = 0;
const out = () => path.join(fx.root, 'out', `export-${++n}`);

/** Resolves when `predicate` holds; a hang guard, not a timing assertion. */
async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1500 && !predicate(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!predicate()) throw new Error(`timed out waiting for ${what}`);
}

async function rejection(p: Promise<unknown> | (() => unknown)): Promise<StewardError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    expect(err).toBeInstanceOf(StewardError);
    return err as StewardError;
  }
  throw new Error('expected an error');
}

beforeAll(async () => {
  fx = await gitFixture();
  await mkdir(path.join(fx.work, 'stack'), { recursive: true });
  await symlink('compose.yaml', path.join(fx.work, 'stack/link'));
  first = await fx.commit('first stack', {
    'README.md': 'outside the stack\n',
    'stack/compose.yaml': 'services:\n  web:\n    image: local/busybox:1\n',
    'stack/bin/hook.sh': { content: '#!/bin/sh\necho hi\n', mode: 0o755 },
    'other/ignored.txt': 'not exported\n',
  });
  cacheDir = path.join(fx.root, 'cache');
  source = new GitSource({ url: fx.url, branch: 'main', path: 'stack/' }, cacheDir);
});
afterAll(() => fx?.cleanup());

describe('GitSource.fetch', () => {
  it('creates a private bare mirror and returns the branch head', async () => {
    const rev = await source.fetch();
    expect(rev.commit).toBe(first);
    expect(rev.subject).toBe('first stack');
    expect(rev.author).toBe('Test Author <author@example.test>');
    expect(rev.committedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(existsSync(path.join(cacheDir, 'repo.git', 'HEAD'))).toBe(true);
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
  });

  it('returns the new head after a push, and serialises concurrent calls', async () => {
    const second = await fx.commit('second', { 'stack/.env.example': 'A=1\n' });
    const revs = await Promise.all([source.fetch(), source.fetch(), source.fetch()]);
    expect(revs.map((r) => r.commit)).toEqual([second, second, second]);
    expect(revs[0]?.subject).toBe('second');
  });

  it('fails clearly for a branch that does not exist', async () => {
    const missing = new GitSource({ url: fx.url, branch: 'nope' }, path.join(fx.root, 'cache-nope'));
    const err = await rejection(missing.fetch());
    expect(err.code).toBe('E_EXTERNAL');
    expect(err.message).toMatch(/^git fetch failed: .*nope/);
    expect(err.hint).toContain('"nope"');
  });

  it('refuses invalid branch names and paths that leave the repository', async () => {
    for (const branch of ['', '-x', 'a..b', 'refs/heads/main', 'a b', 'x.lock', 'a//b', '@{-1}']) {
      const err = await rejection(() => new GitSource({ url: fx.url, branch }, cacheDir));
      expect(err.code).toBe('E_CONFIG');
      expect(err.message).toContain('invalid git branch name');
    }
    for (const p of ['../x', 'stack/../../etc', '/etc', 'a\\..\\b']) {
      const err = await rejection(() => new GitSource({ url: fx.url, branch: 'main', path: p }, cacheDir));
      expect(err.code).toBe('E_CONFIG');
    }
    expect(new GitSource({ url: fx.url, branch: 'release/1.x', path: './stack/' }, cacheDir).path).toBe(
      'stack',
    );
  });

  it('keeps credentials in the URL out of the error', async () => {
    const secret = 'tok3n-s3cret-value';
    const url = `http://deploy:${secret}@127.0.0.1:1/repo.git`;
    const s = new GitSource({ url, branch: 'main', timeoutMs: 30_000 }, path.join(fx.root, 'cache-cred'));
    expect(s.displayUrl).toBe('http://***@127.0.0.1:1/repo.git');
    const err = await rejection(s.fetch());
    expect(err.code).toBe('E_EXTERNAL');
    expect(err.message).toMatch(/^git fetch failed: /);
    const everything = `${err.message} ${err.hint} ${JSON.stringify(err.details)} ${err.stack}`;
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain('deploy:');
  });
});

describe('GitSource.fetch against a server that never answers', () => {
  let server: Server;
  const sockets = new Set<Socket>();
  let url = '';
  beforeAll(async () => {
    server = createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/repo.git`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });

  it('gives up after timeoutMs', async () => {
    const s = new GitSource({ url, branch: 'main', timeoutMs: 300 }, path.join(fx.root, 'cache-hang'));
    const err = await rejection(s.fetch());
    expect(err.code).toBe('E_EXTERNAL');
    expect(err.message).toBe('git fetch timed out after 300 ms');
  });

  it('stops when aborted', async () => {
    const s = new GitSource({ url, branch: 'main' }, path.join(fx.root, 'cache-abort'));
    const ac = new AbortController();
    const p = s.fetch(ac.signal);
    await until(() => sockets.size > 0, 'git to connect');
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('GitSource.export', () => {
  it('writes only the stack directory, at the destination root, with modes and symlinks', async () => {
    const dest = out();
    const r = await source.export(first, dest);
    expect(r.files).toEqual(['bin/hook.sh', 'compose.yaml', 'link']);
    expect(await readFile(path.join(dest, 'compose.yaml'), 'utf8')).toContain('local/busybox:1');
    expect(statSync(path.join(dest, 'bin/hook.sh')).mode & 0o111).not.toBe(0);
    expect(statSync(path.join(dest, 'compose.yaml')).mode & 0o111).toBe(0);
    expect(await readlink(path.join(dest, 'link'))).toBe('compose.yaml');
    expect(existsSync(path.join(dest, 'README.md'))).toBe(false);
    expect(existsSync(path.join(dest, 'stack'))).toBe(false);
    expect(r.treeHash).toMatch(/^[0-9a-f]{64}$/);
    // Nothing left beside the destination.
    expect((await readdir(path.dirname(dest))).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('hashes content: stable for the same tree, different when content or mode changes', async () => {
    const a = await source.export((await source.fetch()).commit, out());
    const outsideOnly = await fx.commit('outside only', { 'README.md': 'changed outside\n' });
    await source.fetch();
    const b = await source.export(outsideOnly, out());
    expect(b.treeHash).toBe(a.treeHash);

    const content = await fx.commit('content', { 'stack/compose.yaml': 'services: {}\n' });
    const mode = await fx.commit('mode', {
      'stack/compose.yaml': { content: 'services: {}\n', mode: 0o755 },
    });
    await source.fetch();
    const c = await source.export(content, out());
    const d = await source.export(mode, out());
    expect(new Set([b.treeHash, c.treeHash, d.treeHash]).size).toBe(3);
  });

  it('exports the whole repository when no path is set', async () => {
    const whole = new GitSource({ url: fx.url, branch: 'main' }, path.join(fx.root, 'cache-whole'));
    await whole.fetch();
    const r = await whole.export(first, out());
    expect(r.files).toEqual([
      'README.md',
      'other/ignored.txt',
      'stack/bin/hook.sh',
      'stack/compose.yaml',
      'stack/link',
    ]);
  });

  it('refuses an existing destination, an unknown commit and a missing stack path', async () => {
    const dest = out();
    await source.export(first, dest);
    expect((await rejection(source.export(first, dest))).code).toBe('E_CONFLICT');
    expect((await rejection(source.export('not-a-commit', out()))).code).toBe('E_USAGE');
    expect((await rejection(source.export('0123456789abcdef0123456789abcdef01234567', out()))).code).toBe(
      'E_NOT_FOUND',
    );
    const elsewhere = new GitSource({ url: fx.url, branch: 'main', path: 'missing' }, cacheDir);
    const err = await rejection(elsewhere.export(first, out()));
    expect(err.code).toBe('E_NOT_FOUND');
    expect(err.message).toContain('"missing"');
  });
});

describe('GitSource.changedFiles', () => {
  it('lists the files changed under the stack path, relative to it', async () => {
    const before = (await source.fetch()).commit;
    const after = await fx.commit('change both', {
      'stack/compose.yaml': 'services:\n  api: {}\n',
      'stack/new/file.txt': 'x\n',
      'stack/bin/hook.sh': null,
      'README.md': 'outside again\n',
    });
    await source.fetch();
    expect((await source.changedFiles(before, after)).sort()).toEqual([
      'bin/hook.sh',
      'compose.yaml',
      'new/file.txt',
    ]);
    expect(await source.changedFiles(after, after)).toEqual([]);
  });
});
