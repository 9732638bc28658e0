import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tar from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { isStewardError } from '../../core/errors.js';
import { installRelease } from './install.js';
import type { ReleaseLayout } from './layout.js';
import { listReleases } from './list.js';

const base = fs.mkdtempSync(path.join(tmpdir(), 'steward-releases-'));
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));
let n = 0;

function newLayout(): ReleaseLayout {
  const root = path.join(base, `case-${++n}`);
  fs.mkdirSync(root);
  return { releasesDir: path.join(root, 'releases'), current: path.join(root, 'current'), keep: 3 };
}

/** A small release tree: a nested file, an executable, a symlink inside the tree. */
function makeSource(marker = 'v1'): string {
  const src = path.join(base, `src-${++n}`);
  fs.mkdirSync(path.join(src, 'bin'), { recursive: true });
  fs.mkdirSync(path.join(src, 'lib', 'deep'), { recursive: true });
  fs.writeFileSync(path.join(src, 'lib', 'deep', 'data.txt'), `payload ${marker}\n`);
  fs.writeFileSync(path.join(src, 'bin', 'server'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
  fs.chmodSync(path.join(src, 'bin', 'server'), 0o755);
  fs.symlinkSync('lib/deep/data.txt', path.join(src, 'data'));
  return src;
}

function expectTree(release: string, marker = 'v1'): void {
  expect(fs.readFileSync(path.join(release, 'lib', 'deep', 'data.txt'), 'utf8')).toBe(`payload ${marker}\n`);
  expect(fs.statSync(path.join(release, 'bin', 'server')).mode & 0o777).toBe(0o755);
  expect(fs.readlinkSync(path.join(release, 'data'))).toBe('lib/deep/data.txt');
  expect(fs.readFileSync(path.join(release, 'data'), 'utf8')).toBe(`payload ${marker}\n`);
}

const dotEntries = (dir: string) => fs.readdirSync(dir).filter((f) => f.startsWith('.'));

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

describe('installRelease', () => {
  it('copies a directory into releasesDir/<version> and leaves no staging dir', async () => {
    const layout = newLayout();
    const release = await installRelease(layout, '1.0.0', makeSource());
    expect(release).toBe(path.join(layout.releasesDir, '1.0.0'));
    expectTree(release);
    expect(fs.statSync(release).mode & 0o777).toBe(0o755);
    expect(dotEntries(layout.releasesDir)).toEqual([]);
  });

  it('unpacks a .tar.gz made by the system tar, and a plain .tar', async () => {
    const layout = newLayout();
    const src = makeSource();
    const tgz = path.join(base, `rel-${++n}.tar.gz`);
    const plain = path.join(base, `rel-${++n}.tar`);
    execFileSync('tar', ['-C', src, '-czf', tgz, '.']);
    execFileSync('tar', ['-C', src, '-cf', plain, '.']);
    expectTree(await installRelease(layout, 'from-tgz', tgz));
    expectTree(await installRelease(layout, 'from-tar', plain));
    expect(dotEntries(layout.releasesDir)).toEqual([]);
  });

  it('reuses the same version with the same content, from a directory or its tarball', async () => {
    const layout = newLayout();
    const src = makeSource();
    const first = await installRelease(layout, '2.0', src);
    const inode = fs.statSync(path.join(first, 'lib', 'deep', 'data.txt')).ino;
    const tgz = path.join(base, `rel-${++n}.tgz`);
    execFileSync('tar', ['-C', src, '-czf', tgz, '.']);
    for (const source of [src, tgz]) {
      expect(await installRelease(layout, '2.0', source)).toBe(first);
      // Reused in place, not replaced: the file is the very same inode.
      expect(fs.statSync(path.join(first, 'lib', 'deep', 'data.txt')).ino).toBe(inode);
    }
    expect(listReleases(layout).map((r) => r.version)).toEqual(['2.0']);
    expect(dotEntries(layout.releasesDir)).toEqual([]);
  });

  it('refuses the same version with different content and keeps the installed one', async () => {
    const layout = newLayout();
    const release = await installRelease(layout, '3.0', makeSource('v1'));
    const err = await rejection(installRelease(layout, '3.0', makeSource('v2')));
    expect(isStewardError(err) && err.code).toBe('E_CONFLICT');
    expectTree(release, 'v1');
    expect(dotEntries(layout.releasesDir)).toEqual([]);
  });

  it('removes leftovers of crashed installs but spares one whose owner is alive', async () => {
    const layout = newLayout();
    fs.mkdirSync(layout.releasesDir, { recursive: true });
    // pid 2^30 is above Linux's pid_max, so no process owns it: a crash leftover.
    const crashed = path.join(layout.releasesDir, '.tmp-9.9-1073741824-abcdef');
    const garbage = path.join(layout.releasesDir, '.tmp-junk');
    const live = path.join(layout.releasesDir, `.tmp-8.8-${process.pid}-abcdef`);
    for (const d of [crashed, garbage, live]) {
      fs.mkdirSync(d);
      fs.writeFileSync(path.join(d, 'half-written'), 'x');
    }
    expect(listReleases(layout)).toEqual([]);
    await installRelease(layout, '1', makeSource());
    expect(fs.existsSync(crashed)).toBe(false);
    expect(fs.existsSync(garbage)).toBe(false);
    expect(fs.existsSync(live)).toBe(true);
    expect(listReleases(layout).map((r) => r.version)).toEqual(['1']);
  });

  it('leaves no final directory when unpacking fails half way', async () => {
    const layout = newLayout();
    // A good entry first, then a hostile one: extraction has written something before it refuses.
    const pack = tar.pack();
    pack.entry({ name: 'ok.txt' }, 'fine');
    pack.entry({ name: '../escape.txt' }, 'evil');
    pack.finalize();
    const chunks: Buffer[] = [];
    for await (const c of pack) chunks.push(c as Buffer);
    const bad = path.join(base, `bad-${++n}.tar`);
    fs.writeFileSync(bad, Buffer.concat(chunks));

    const err = await rejection(installRelease(layout, 'bad', bad));
    expect(isStewardError(err) && err.code).toBe('E_INTEGRITY');
    expect(fs.existsSync(path.join(layout.releasesDir, 'bad'))).toBe(false);
    expect(fs.existsSync(path.join(path.dirname(layout.releasesDir), 'escape.txt'))).toBe(false);
    expect(fs.readdirSync(layout.releasesDir)).toEqual([]);
  });

  it('rejects bad version names before touching the disk', async () => {
    const layout = newLayout();
    const src = makeSource();
    for (const version of ['../x', 'a/b', '', '.', '..', '.hidden', 'x'.repeat(129), 'a b', 'a\nb']) {
      const err = await rejection(installRelease(layout, version, src));
      expect(isStewardError(err) && err.code, version).toBe('E_USAGE');
    }
    expect(fs.existsSync(layout.releasesDir)).toBe(false);
  });

  it('rejects a missing source and a file that is not a tarball', async () => {
    const layout = newLayout();
    const missing = await rejection(installRelease(layout, '1', path.join(base, 'nope')));
    expect(isStewardError(missing) && missing.code).toBe('E_NOT_FOUND');
    const txt = path.join(base, `notes-${++n}.txt`);
    fs.writeFileSync(txt, 'hello');
    const notTar = await rejection(installRelease(layout, '1', txt));
    expect(isStewardError(notTar) && notTar.code).toBe('E_USAGE');
    expect(fs.readdirSync(layout.releasesDir)).toEqual([]);
  });
});
