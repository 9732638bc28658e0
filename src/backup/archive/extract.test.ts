import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { extractTar } from './extract.js';
import { assertNoCanaries, caseDir, removeCaseDirs, sample, stewardTar, tree } from './extract-fixtures.js';
import { createGunzip, createParallelGzip } from './gzip-parallel.js';

afterAll(removeCaseDirs);
afterEach(assertNoCanaries);

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
