import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import tar, { type Header } from 'tar-stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { extractTar } from './extract.js';
import { createGunzip, createParallelGzip } from './gzip-parallel.js';
import type { TarWriteEntry } from './tar-header.js';
import { createTarWriter } from './tar-write.js';

const base = mkdtempSync(join(tmpdir(), 'steward-extract-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;

/** A case directory: `dest` to extract into and an `outside` sibling that must stay empty. */
function caseDir() {
  const root = join(base, `case-${++n}`);
  const outside = join(root, 'outside');
  mkdirSync(outside, { recursive: true });
  return { root, dest: join(root, 'dest'), outside };
}

/** Absolute paths a hostile archive aims at; none may exist after any test. */
const canaries: string[] = [];
const canary = () => {
  const p = join(tmpdir(), `steward-canary-${process.pid}-${canaries.length}`);
  canaries.push(p);
  return p;
};
afterEach(() => {
  for (const p of canaries) expect(existsSync(p), p).toBe(false);
});

type RawEntry = Partial<Header> & { name: string; content?: string | Buffer };

/** An archive built with tar-stream directly, so it can say anything. */
async function rawTar(entries: RawEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c) => chunks.push(c as Buffer));
  const ended = new Promise<void>((r) => pack.on('end', () => r()));
  for (const { content, ...header } of entries) {
    await new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (content !== undefined) pack.entry(header, content, cb);
      else pack.entry(header, cb).end(undefined);
    });
  }
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}

const fileEntry = (
  archivePath: string,
  content: string,
  mode = 0o644,
  mtime = new Date('2024-02-03T04:05:06Z'),
) =>
  ({
    archivePath,
    path: archivePath,
    type: 'file',
    mode,
    mtime,
    size: Buffer.byteLength(content),
    open: () => Readable.from([Buffer.from(content)]),
  }) satisfies TarWriteEntry;
const dirEntry = (archivePath: string, mode = 0o755, mtime = new Date('2023-01-01T00:00:00Z')) =>
  ({ archivePath, path: archivePath, type: 'directory', mode, mtime, size: 0 }) satisfies TarWriteEntry;
const linkEntry = (archivePath: string, linkname: string) =>
  ({
    archivePath,
    path: archivePath,
    type: 'symlink',
    mode: 0o777,
    mtime: new Date('2022-01-01T00:00:00Z'),
    size: 0,
    linkname,
  }) satisfies TarWriteEntry;

async function stewardTar(entries: TarWriteEntry[]): Promise<Buffer> {
  const w = createTarWriter();
  const chunks: Buffer[] = [];
  const reading = (async () => {
    for await (const c of w.stream) chunks.push(c as Buffer);
  })();
  for (const e of entries) await w.add(e);
  await w.finish();
  await reading;
  return Buffer.concat(chunks);
}

const tree = (dir: string): string[] => {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const p = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(dir, p));
      out.push(
        st.isSymbolicLink() ? `${p} -> ${readlinkSync(join(dir, p))}` : st.isDirectory() ? `${p}/` : p,
      );
      if (st.isDirectory()) walk(p);
    }
  };
  walk('');
  return out;
};

const sample = (): TarWriteEntry[] => [
  dirEntry('sources'),
  dirEntry('sources/app', 0o750, new Date('2020-06-07T08:09:10Z')),
  fileEntry('sources/app/config.yaml', 'a: 1\n', 0o600, new Date('2021-03-04T05:06:07Z')),
  fileEntry('sources/app/run.sh', '#!/bin/sh\n', 0o755),
  dirEntry('sources/app/ro', 0o555),
  fileEntry('sources/app/ro/inside.txt', 'read-only dir\n', 0o444),
  linkEntry('sources/app/current', 'config.yaml'),
  linkEntry('sources/app/ro/up', '../run.sh'),
  fileEntry(`sources/app/${'l'.repeat(150)}/${'m'.repeat(150)}.txt`, 'long\n'),
  fileEntry('sources/app/ünï/日本.txt', 'utf8\n'),
  dirEntry('sources/db'),
  fileEntry('sources/db/dump.sql', 'select 1;\n'),
  fileEntry('steward-manifest.json', '{}'),
];

describe('extractTar', () => {
  it('restores content, modes, mtimes, symlinks, long and UTF-8 names', async () => {
    const { dest } = caseDir();
    const seen: string[] = [];
    const hashes = new Map<string, string>();
    const r = await extractTar(Readable.from([await stewardTar(sample())]), dest, {
      onEntry: (p) => seen.push(p),
      onFileData: (p, chunk) => hashes.set(p, createHash('sha256').update(chunk).digest('hex')),
    });
    expect(r).toEqual({ files: 7, bytes: 5 + 10 + 14 + 5 + 5 + 10 + 2, skipped: 0 });
    expect(seen).toHaveLength(sample().length);
    expect(hashes.get('sources/db/dump.sql')).toBe(createHash('sha256').update('select 1;\n').digest('hex'));

    const st = (p: string) => lstatSync(join(dest, p));
    expect(readFileSync(join(dest, 'sources/app/config.yaml'), 'utf8')).toBe('a: 1\n');
    expect(st('sources/app/config.yaml').mode & 0o7777).toBe(0o600);
    expect(st('sources/app/config.yaml').mtime.toISOString()).toBe('2021-03-04T05:06:07.000Z');
    expect(st('sources/app/run.sh').mode & 0o7777).toBe(0o755);
    expect(st('sources/app').mode & 0o7777).toBe(0o750);
    expect(st('sources/app').mtime.toISOString()).toBe('2020-06-07T08:09:10.000Z');
    expect(st('sources/app/ro').mode & 0o7777).toBe(0o555);
    expect(st('sources/app/ro/inside.txt').mode & 0o7777).toBe(0o444);
    expect(readlinkSync(join(dest, 'sources/app/current'))).toBe('config.yaml');
    expect(st('sources/app/current').mtime.toISOString()).toBe('2022-01-01T00:00:00.000Z');
    expect(readFileSync(join(dest, 'sources/app/ro/up'), 'utf8')).toBe('#!/bin/sh\n');
    expect(readFileSync(join(dest, `sources/app/${'l'.repeat(150)}/${'m'.repeat(150)}.txt`), 'utf8')).toBe(
      'long\n',
    );
    expect(readFileSync(join(dest, 'sources/app/ünï/日本.txt'), 'utf8')).toBe('utf8\n');
  });

  it('reads what GNU tar wrote (pax and gnu formats, gzip), same tree as tar -x', async () => {
    const { root } = caseDir();
    const src = join(root, 'src');
    mkdirSync(join(src, 'data', 'ñ', 'x'.repeat(120)), { recursive: true });
    writeFileSync(join(src, 'data', 'a.txt'), 'A');
    writeFileSync(join(src, 'data', 'ñ', 'x'.repeat(120), `${'y'.repeat(200)}.bin`), Buffer.alloc(70_000, 3));
    symlinkSync('a.txt', join(src, 'data', 'link'));
    for (const format of ['pax', 'gnu']) {
      const archive = join(root, `gnu-${format}.tar.gz`);
      // The gnu run archives '.', so names start with './' and the first entry is the root.
      execFileSync('tar', [
        `--format=${format}`,
        '-czf',
        archive,
        '-C',
        src,
        format === 'gnu' ? '.' : 'data',
      ]);
      const dest = join(root, `ours-${format}`);
      const theirs = join(root, `theirs-${format}`);
      mkdirSync(theirs);
      execFileSync('tar', ['-xzf', archive, '-C', theirs]);
      const input = Readable.from([readFileSync(archive)]).pipe(createGunzip());
      const r = await extractTar(input, dest);
      expect(r.files).toBe(2);
      expect(tree(dest)).toEqual(tree(theirs));
      expect(readFileSync(join(dest, 'data', 'ñ', 'x'.repeat(120), `${'y'.repeat(200)}.bin`)).length).toBe(
        70_000,
      );
    }
  });

  it('round-trips writer → parallel gzip → gunzip → extract', async () => {
    const { dest } = caseDir();
    const gz = createParallelGzip({ blockSize: 4096 });
    const compressed: Buffer[] = [];
    gz.on('data', (c: Buffer) => compressed.push(c));
    const done = new Promise((r) => gz.on('end', r));
    gz.end(await stewardTar(sample()));
    await done;
    const r = await extractTar(Readable.from([Buffer.concat(compressed)]).pipe(createGunzip()), dest);
    expect(r.files).toBe(7);
    expect(readFileSync(join(dest, 'sources/db/dump.sql'), 'utf8')).toBe('select 1;\n');
  });

  it('extracts only what the globs select, and strips a prefix', async () => {
    const archive = await stewardTar(sample());
    const a = caseDir();
    const r1 = await extractTar(Readable.from([archive]), a.dest, { only: ['sources/db/**'] });
    expect(r1).toEqual({ files: 1, bytes: 10, skipped: sample().length - 2 });
    expect(tree(a.dest)).toEqual(['sources/', 'sources/db/', 'sources/db/dump.sql']);

    const b = caseDir();
    const r2 = await extractTar(Readable.from([archive]), b.dest, {
      strip: 'sources/app/',
      only: ['**/*.yaml', '**/current'],
    });
    expect(r2.files).toBe(1);
    expect(tree(b.dest)).toEqual(['config.yaml', 'current -> config.yaml']);

    const c = caseDir();
    await extractTar(Readable.from([archive]), c.dest, { strip: 'sources/db' });
    expect(tree(c.dest)).toEqual(['dump.sql']);
  });

  it('refuses a destination that is not empty', async () => {
    const { dest } = caseDir();
    mkdirSync(dest);
    writeFileSync(join(dest, 'keep'), 'x');
    await expect(extractTar(Readable.from([await stewardTar(sample())]), dest)).rejects.toThrow(/not empty/);
    expect(readFileSync(join(dest, 'keep'), 'utf8')).toBe('x');
  });

  it('stops on abort', async () => {
    const { dest } = caseDir();
    const ac = new AbortController();
    const archive = await stewardTar(sample());
    const input = new Readable({ read() {} });
    input.push(archive.subarray(0, 2048));
    const extracting = extractTar(input, dest, { signal: ac.signal });
    setTimeout(() => ac.abort(new Error('stop now')), 50);
    await expect(extracting).rejects.toThrow('stop now');
  });

  it('fails on a truncated archive', async () => {
    const { dest } = caseDir();
    const archive = await stewardTar(sample());
    await expect(extractTar(Readable.from([archive.subarray(0, 1700)]), dest)).rejects.toThrow();
  });
});

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
