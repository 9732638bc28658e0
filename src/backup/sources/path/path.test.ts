import { execFileSync } from 'node:child_process';
import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readlink,
  rm,
  symlink,
  truncate,
  utimes,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ArchiveEntry } from '../../types.js';
import { readExactly } from '../shared/file-stream.js';
import { pathFilter } from '../shared/filter.js';
import { walkTree } from '../shared/walk.js';
import { drillContext, entryPaths, materialize, readEntry, sourceContext, tempDir } from '../test-support.js';
import { pathSource } from './index.js';
import { type PathSourceConfig, pathSourceSchema } from './schema.js';

const dirs: string[] = [];
async function dir(): Promise<string> {
  const d = await tempDir('steward-path-');
  dirs.push(d);
  return d;
}
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const when = new Date('2020-02-29T10:20:30Z');

/** A tree with everything the walker must handle. */
async function fixture(): Promise<string> {
  const root = await dir();
  const file = async (rel: string, content: string, mode = 0o644) => {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), content, { mode });
    await chmod(path.join(root, rel), mode);
    await utimes(path.join(root, rel), when, when);
  };
  await file('b.txt', 'bee\n', 0o600);
  await file('a.txt', 'ay\n', 0o755);
  await file('scratch.tmp', 'temp');
  await file('cache/x.bin', 'cached');
  await file('sub/cache/y.bin', 'cached too');
  await file('sub/c.txt', 'sea\n');
  await file('sub/notes.tmp', 'temp');
  await file('sub/cache.d/keep.txt', 'kept: "cache/" matches only a directory named cache');
  await file('data/cache', 'a file named cache is not a directory');
  await mkdir(path.join(root, 'empty'));
  await symlink('a.txt', path.join(root, 'link-to-a'));
  await symlink('does/not/exist', path.join(root, 'dangling'));
  execFileSync('mkfifo', [path.join(root, 'sub/pipe')]);
  await chmod(path.join(root, 'sub'), 0o750);
  for (const d of ['sub/cache.d', 'sub', 'data', 'empty']) await utimes(path.join(root, d), when, when);
  return root;
}

function config(
  root: string,
  extra: Partial<Record<'include' | 'exclude', string[]>> = {},
): PathSourceConfig {
  return pathSourceSchema({ baseDir: '/' }).parse({ type: 'path', name: 'files', path: root, ...extra });
}

async function snapshotPaths(cfg: PathSourceConfig) {
  const ctx = sourceContext(await dir());
  const snap = await pathSource.snapshot(cfg, ctx);
  return { paths: await entryPaths(snap.entries), warnings: ctx.warnings };
}

describe('path source', () => {
  it('walks sorted, directories first, with excludes, links kept and special files skipped', async () => {
    const root = await fixture();
    const { paths, warnings } = await snapshotPaths(config(root, { exclude: ['cache/', '*.tmp'] }));
    expect(paths).toEqual([
      'a.txt',
      'b.txt',
      'dangling',
      'data',
      'data/cache',
      'empty',
      'link-to-a',
      'sub',
      'sub/c.txt',
      'sub/cache.d',
      'sub/cache.d/keep.txt',
    ]);
    expect(warnings).toEqual([
      { message: 'skipped special file', details: { source: 'files', path: path.join(root, 'sub/pipe') } },
    ]);
  });

  it('keeps modes, times, owners, sizes and link targets', async () => {
    const root = await fixture();
    const snap = await pathSource.snapshot(config(root), sourceContext(await dir()));
    const byPath = new Map<string, ArchiveEntry>();
    for await (const entry of snap.entries) byPath.set(entry.path, entry);
    expect(byPath.get('a.txt')).toMatchObject({ type: 'file', mode: 0o755, size: 3, mtime: when });
    expect(byPath.get('b.txt')).toMatchObject({ type: 'file', mode: 0o600, size: 4 });
    expect(byPath.get('sub')).toMatchObject({ type: 'directory', mode: 0o750, size: 0, mtime: when });
    expect(byPath.get('dangling')).toMatchObject({ type: 'symlink', linkname: 'does/not/exist', size: 0 });
    expect(byPath.get('link-to-a')).toMatchObject({ type: 'symlink', linkname: 'a.txt' });
    expect(byPath.get('a.txt')?.uid).toBe(process.getuid?.());
    const b = byPath.get('b.txt');
    expect(b && (await readEntry(b)).toString()).toBe('bee\n');
  });

  it('includes only matching paths, with their directories', async () => {
    const root = await fixture();
    expect((await snapshotPaths(config(root, { include: ['*.txt'], exclude: ['cache.d/'] }))).paths).toEqual([
      'a.txt',
      'b.txt',
      'sub',
      'sub/c.txt',
    ]);
    // A matching directory brings everything under it; anchored patterns match from the root.
    expect((await snapshotPaths(config(root, { include: ['sub/', '/cache'] }))).paths).toEqual([
      'cache',
      'cache/x.bin',
      'sub',
      'sub/c.txt',
      'sub/cache',
      'sub/cache/y.bin',
      'sub/cache.d',
      'sub/cache.d/keep.txt',
      'sub/notes.tmp',
    ]);
  });

  it('fails clearly when the path is missing or not a directory', async () => {
    const root = await dir();
    await expect(pathSource.snapshot(config(path.join(root, 'nope')), sourceContext(root))).rejects.toThrow(
      /nope does not exist/,
    );
    await writeFile(path.join(root, 'f'), '');
    await expect(pathSource.snapshot(config(path.join(root, 'f')), sourceContext(root))).rejects.toThrow(
      /is not a directory/,
    );
  });

  it('fails the walk on an unreadable file', async () => {
    const root = await dir();
    await chmod(root, 0o755);
    await writeFile(path.join(root, 'secret'), 'x');
    await chmod(path.join(root, 'secret'), 0);
    const walk = async () => {
      const snap = await pathSource.snapshot(config(root), sourceContext(root));
      return entryPaths(snap.entries);
    };
    if (process.getuid?.() !== 0) {
      await expect(walk()).rejects.toThrow(/cannot read .*secret \(EACCES\)/);
      return;
    }
    // Root reads everything: walk as nobody instead.
    const script = path.join(root, 'walk.mts');
    const driver = new URL('./index.ts', import.meta.url).pathname;
    await writeFile(
      script,
      `import { pathSource } from ${JSON.stringify(driver)};
       const ctx = { scratchDir: '/tmp', signal: new AbortController().signal, warn() {} };
       const snap = await pathSource.snapshot({ type: 'path', name: 'files', path: ${JSON.stringify(root)} }, ctx);
       try { for await (const e of snap.entries) void e; console.log('no error'); }
       catch (err) { console.log(err.message); }`,
    );
    const out = execFileSync('runuser', ['-u', 'nobody', '--', process.execPath, '--import', 'tsx', script], {
      encoding: 'utf8',
    });
    expect(out).toMatch(/cannot read .*secret \(EACCES\)/);
  });

  it('streams exactly the announced size when a file shrinks, with a warning', async () => {
    const root = await dir();
    const file = path.join(root, 'log');
    await writeFile(file, 'x'.repeat(1000));
    const warnings: unknown[] = [];
    const stream = readExactly(file, 1000, (d) => warnings.push(d));
    await truncate(file, 10);
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    const content = Buffer.concat(chunks);
    expect(content.length).toBe(1000);
    expect(content.subarray(0, 10).toString()).toBe('x'.repeat(10));
    expect(content.subarray(10).every((b) => b === 0)).toBe(true);
    expect(warnings).toEqual([{ path: file, expected: 1000, read: 10 }]);
  });

  it('restores over an existing tree: replaced files, recreated links, modes and times, extras kept', async () => {
    const root = await fixture();
    const snap = await pathSource.snapshot(config(root, { exclude: ['*.tmp'] }), sourceContext(await dir()));
    const extracted = await dir();
    await materialize(snap.entries, extracted);

    const target = await dir();
    await mkdir(path.join(target, 'sub'), { mode: 0o700 });
    await writeFile(path.join(target, 'a.txt'), 'old content');
    await writeFile(path.join(target, 'extra.txt'), 'not in the backup');
    await symlink('/etc', path.join(target, 'empty')); // a link where the backup has a directory
    await pathSource.restoreInPlace(config(target), extracted, drillContext(extracted));

    expect(await readFile(path.join(target, 'a.txt'), 'utf8')).toBe('ay\n');
    expect(await readFile(path.join(target, 'extra.txt'), 'utf8')).toBe('not in the backup');
    const a = await lstat(path.join(target, 'a.txt'));
    expect([a.mode & 0o7777, a.mtime.getTime()]).toEqual([0o755, when.getTime()]);
    const sub = await lstat(path.join(target, 'sub'));
    expect([sub.mode & 0o7777, sub.mtime.getTime()]).toEqual([0o750, when.getTime()]);
    expect((await lstat(path.join(target, 'empty'))).isDirectory()).toBe(true);
    expect(await readlink(path.join(target, 'dangling'))).toBe('does/not/exist');
    expect(await readlink(path.join(target, 'link-to-a'))).toBe('a.txt');
    expect(await readFile(path.join(target, 'sub/cache/y.bin'), 'utf8')).toBe('cached too');

    const check = await pathSource.drillCheck(config(target), extracted, drillContext(extracted));
    expect(check).toMatchObject({ ok: true, details: { files: 7, symlinks: 2 } });
  });

  it('stays on one filesystem when asked, keeping the mount point', async () => {
    // /dev/shm is its own tmpfs under /dev on Linux hosts and containers alike.
    const [dev, shm] = await Promise.all([lstat('/dev'), lstat('/dev/shm').catch(() => null)]);
    // A machine without it is missing a component this test needs: fail, never skip.
    expect(shm?.isDirectory() && shm.dev !== dev.dev, '/dev/shm must be a separate tmpfs').toBe(true);
    const marker = await mkdtemp('/dev/shm/steward-test-');
    try {
      const walk = async (oneFileSystem: boolean) => {
        const entries = walkTree('/dev', { oneFileSystem, filter: pathFilter(['shm/']), warn: () => {} });
        return (await entryPaths(entries)).filter((p) => p === 'shm' || p.startsWith('shm/steward-test-'));
      };
      expect(await walk(false)).toEqual(['shm', `shm/${path.basename(marker)}`]);
      expect(await walk(true)).toEqual(['shm']);
    } finally {
      await rm(marker, { recursive: true });
    }
  });

  it('validates glob patterns in the config', () => {
    expect(() => config('/x', { exclude: ['../etc'] })).toThrow(/not allowed/);
    expect(() => config('/x', { include: [''] })).toThrow(/non-empty/);
  });
});
