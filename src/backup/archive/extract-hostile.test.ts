import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { extractTar } from './extract.js';
import {
  assertNoCanaries,
  canary,
  caseDir,
  type RawEntry,
  rawTar,
  removeCaseDirs,
  tree,
} from './extract-fixtures.js';

afterAll(removeCaseDirs);
afterEach(assertNoCanaries);

describe('extractTar refuses hostile archives', () => {
  const hostile: [string, () => Promise<RawEntry[]>, RegExp][] = [
    ['a ../ path', async () => [{ name: '../evil', content: 'x' }], /'\.\.' path segment: \.\.\/evil/],
    [
      'a ../ path deeper down',
      async () => [{ name: 'a/b/../../../evil', content: 'x' }],
      /'\.\.' path segment/,
    ],
    ['an absolute path', async () => [{ name: canary(), content: 'x' }], /absolute path: \/.*steward-canary/],
    [
      'a symlink to /etc followed by a file through it',
      async () => [
        { name: 'etc', type: 'symlink', linkname: '/etc' },
        { name: 'etc/evil', content: 'x' },
      ],
      /symlink with an absolute target: etc -> \/etc/,
    ],
    [
      'a symlink to an absolute canary directory, then a file through it',
      async () => [
        { name: 'c', type: 'symlink', linkname: canary() },
        { name: 'c/evil', content: 'x' },
      ],
      /absolute target/,
    ],
    [
      'a symlink up -> ../.. followed by up/x',
      async () => [
        { name: 'up', type: 'symlink', linkname: '../..' },
        { name: 'up/x', content: 'x' },
      ],
      /outside the destination: up -> \.\.\/\.\./,
    ],
    [
      'a symlink that climbs out after going down',
      async () => [{ name: 'a/b', type: 'symlink', linkname: 'c/../../../outside/x' }],
      /outside the destination: a\/b/,
    ],
    [
      'a file written through an inside symlink',
      async () => [
        { name: 'real', type: 'directory' },
        { name: 'alias', type: 'symlink', linkname: 'real' },
        { name: 'alias/f', content: 'x' },
      ],
      /refusing to write alias\/f through the symlink alias/,
    ],
    [
      'chained symlinks that only escape together (l -> ., m -> l/..)',
      async () => [
        { name: 'l', type: 'symlink', linkname: '.' },
        { name: 'm', type: 'symlink', linkname: 'l/..' },
      ],
      /outside the destination: m -> l\/\.\./,
    ],
    [
      'the chain in reverse order',
      async () => [
        { name: 'm', type: 'symlink', linkname: 'l/../outside' },
        { name: 'l', type: 'symlink', linkname: '.' },
      ],
      /outside the destination: m -> l\/\.\.\/outside/,
    ],
    [
      'a hard link to /etc/passwd',
      async () => [{ name: 'passwd', type: 'link', linkname: '/etc/passwd' }],
      /hard links are not supported: passwd/,
    ],
    [
      'a harmless-looking hard link',
      async () => [
        { name: 'a', content: 'x' },
        { name: 'b', type: 'link', linkname: 'a' },
      ],
      /hard links are not supported: b/,
    ],
    [
      'a character device',
      async () => [{ name: 'null', type: 'character-device', devmajor: 1, devminor: 3 }],
      /refusing character-device entry: null/,
    ],
    [
      'a block device',
      async () => [{ name: 'sda', type: 'block-device', devmajor: 8 }],
      /block-device entry: sda/,
    ],
    ['a FIFO', async () => [{ name: 'pipe', type: 'fifo' }], /refusing fifo entry: pipe/],
    [
      'a duplicate file',
      async () => [
        { name: 'f', content: 'first' },
        { name: 'f', content: 'second' },
      ],
      /duplicate entry f/,
    ],
    [
      'a file replacing a symlink',
      async () => [
        { name: 's', type: 'symlink', linkname: 'x' },
        { name: 's', content: 'x' },
      ],
      /duplicate entry s/,
    ],
  ];

  it.each(hostile)('%s', async (_label, build, message) => {
    const { dest, outside } = caseDir();
    const archive = await rawTar(await build());
    await expect(extractTar(Readable.from([archive]), dest)).rejects.toThrow(message);
    expect(readdirSync(outside)).toEqual([]);
    // No symlink leading out is ever left behind.
    for (const p of tree(dest)) expect(p).not.toMatch(/->/);
  });

  it('checks symlinks against the destination after strip', async () => {
    const { dest, outside } = caseDir();
    const archive = await rawTar([{ name: 'sources/db/a', type: 'symlink', linkname: '../../x' }]);
    await expect(extractTar(Readable.from([archive]), dest, { strip: 'sources/db/' })).rejects.toThrow(
      /outside the destination: sources\/db\/a/,
    );
    expect(readdirSync(outside)).toEqual([]);
  });

  it('refuses hostile entries even when `only` would skip them', async () => {
    const { dest } = caseDir();
    const archive = await rawTar([
      { name: 'ok', content: 'x' },
      { name: '../evil', content: 'x' },
    ]);
    await expect(extractTar(Readable.from([archive]), dest, { only: ['ok'] })).rejects.toThrow(/\.\.\/evil/);
  });

  it('refuses archives GNU tar -P wrote with .. and absolute names, hard links and FIFOs', async () => {
    const { root, outside } = caseDir();
    const work = join(root, 'work');
    mkdirSync(work);
    writeFileSync(join(root, 'secret'), 'from the parent');
    const abs = canary();
    writeFileSync(abs, 'absolute');
    const dotdot = join(root, 'dotdot.tar');
    execFileSync('tar', ['-cPf', dotdot, '../secret'], { cwd: work });
    const absolute = join(root, 'absolute.tar');
    execFileSync('tar', ['-cPf', absolute, abs]);
    rmSync(abs);
    writeFileSync(join(work, 'a'), 'x');
    execFileSync('ln', [join(work, 'a'), join(work, 'b')]);
    const hard = join(root, 'hard.tar');
    execFileSync('tar', ['-cf', hard, 'a', 'b'], { cwd: work });
    execFileSync('mkfifo', [join(work, 'p')]);
    const fifo = join(root, 'fifo.tar');
    execFileSync('tar', ['-cf', fifo, 'p'], { cwd: work });

    const cases: [string, RegExp][] = [
      [dotdot, /'\.\.' path segment: \.\.\/secret/],
      [absolute, /absolute path: \/.*steward-canary/],
      [hard, /hard links are not supported: b/],
      [fifo, /refusing fifo entry: p/],
    ];
    for (const [archive, message] of cases) {
      const dest = join(root, `dest-${archive.split('/').pop()}`);
      await expect(extractTar(Readable.from([readFileSync(archive)]), dest)).rejects.toThrow(message);
    }
    expect(readdirSync(outside)).toEqual([]);
    expect(readFileSync(join(root, 'secret'), 'utf8')).toBe('from the parent');
  });
});
