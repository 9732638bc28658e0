import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { stewardTar } from './tar-fixtures.js';
import type { TarWriteEntry } from './tar-header.js';
import { createTarWriter } from './tar-write.js';

const dir = mkdtempSync(join(tmpdir(), 'steward-tarw-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (name: string) => {
  const d = join(dir, `${name}-${++n}`);
  mkdirSync(d);
  return d;
};

const t = (iso: string) => new Date(iso);
const file = (
  archivePath: string,
  content: string | Buffer,
  mode = 0o644,
  mtime = t('2024-03-01T12:00:00Z'),
) => {
  const buf = Buffer.from(content);
  return {
    archivePath,
    path: archivePath,
    type: 'file',
    mode,
    mtime,
    size: buf.length,
    open: () => Readable.from([buf]),
  } satisfies TarWriteEntry;
};

const longDir = `${'d'.repeat(60)}/${'e'.repeat(60)}`; // > 100 chars, fits ustar's prefix
const veryLong = `${'x'.repeat(120)}/${'y'.repeat(120)}/${'z'.repeat(40)}.txt`; // > 255 chars: pax only

describe('createTarWriter', () => {
  it('writes an archive GNU tar lists and extracts faithfully', async () => {
    const entries: TarWriteEntry[] = [
      {
        archivePath: 'src',
        path: 'src',
        type: 'directory',
        mode: 0o750,
        mtime: t('2023-01-02T03:04:05Z'),
        size: 0,
      },
      file('src/a.txt', 'hello\n', 0o640, t('2022-05-06T07:08:09Z')),
      file('src/exec.sh', '#!/bin/sh\necho hi\n', 0o755),
      file('src/empty', ''),
      file('src/locked', 'secret', 0o000),
      file('src/future', 'x', 0o644, t('2040-01-01T00:00:00Z')),
      file('src/past', 'x', 0o644, t('1965-06-01T00:00:00Z')),
      {
        archivePath: 'src/link',
        path: 'src/link',
        type: 'symlink',
        mode: 0o777,
        mtime: t('2021-01-01T00:00:00Z'),
        size: 0,
        linkname: 'a.txt',
      },
      {
        archivePath: 'src/longlink',
        path: 'src/longlink',
        type: 'symlink',
        mode: 0o777,
        mtime: t('2021-01-01T00:00:00Z'),
        size: 0,
        linkname: `../${veryLong}`,
      },
      file(`src/${longDir}/f.txt`, 'long dir'),
      file(`src/${veryLong}`, 'very long'),
      file('src/ünïcødé/日本語.txt', 'utf-8 ✓'),
    ];
    const tarFile = join(fresh('w'), 'a.tar');
    writeFileSync(tarFile, await stewardTar(entries));

    const listing = execFileSync('tar', ['--numeric-owner', '--full-time', '-tvf', tarFile], {
      encoding: 'utf8',
    });
    expect(listing).toMatch(/^drwxr-x--- 0\/0 +0 2023-01-02 03:04:05 src\/$/m);
    expect(listing).toMatch(/^-rw-r----- 0\/0 +6 2022-05-06 07:08:09 src\/a\.txt$/m);
    expect(listing).toMatch(/^---------- 0\/0 +6 .* src\/locked$/m);
    expect(listing).toMatch(/^lrwxrwxrwx 0\/0 +0 .* src\/link -> a\.txt$/m);
    expect(listing).toContain(`src/${veryLong}`);
    expect(listing).toContain('src/ünïcødé/日本語.txt');

    const out = fresh('x');
    // stdio piped: tar warns (on stderr) about the 1965 and 2040 timestamps.
    execFileSync('tar', ['-xpf', tarFile, '-C', out], { stdio: 'pipe' });
    const st = (p: string) => lstatSync(join(out, p));
    expect(readFileSync(join(out, 'src/a.txt'), 'utf8')).toBe('hello\n');
    expect(st('src/a.txt').mode & 0o7777).toBe(0o640);
    expect(st('src/a.txt').mtime.toISOString()).toBe('2022-05-06T07:08:09.000Z');
    expect(st('src/exec.sh').mode & 0o7777).toBe(0o755);
    expect(st('src/locked').mode & 0o7777).toBe(0o000);
    expect(st('src/empty').size).toBe(0);
    expect(st('src/future').mtime.toISOString()).toBe('2040-01-01T00:00:00.000Z');
    expect(st('src/past').mtime.toISOString()).toBe('1965-06-01T00:00:00.000Z');
    expect(st('src').isDirectory()).toBe(true);
    expect(st('src').mode & 0o7777).toBe(0o750);
    expect(st('src').mtime.toISOString()).toBe('2023-01-02T03:04:05.000Z');
    expect(st('src/link').isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(out, 'src/link'))).toBe('a.txt');
    expect(readlinkSync(join(out, 'src/longlink'))).toBe(`../${veryLong}`);
    expect(readFileSync(join(out, `src/${longDir}/f.txt`), 'utf8')).toBe('long dir');
    expect(readFileSync(join(out, `src/${veryLong}`), 'utf8')).toBe('very long');
    expect(readFileSync(join(out, 'src/ünïcødé/日本語.txt'), 'utf8')).toBe('utf-8 ✓');
  });

  it('passes every content chunk to onData and streams large files in pieces', async () => {
    const w = createTarWriter();
    const parts = Array.from({ length: 50 }, (_, i) => Buffer.alloc(64 * 1024, i));
    const expected = createHash('sha256');
    for (const p of parts) expected.update(p);
    const seen = createHash('sha256');
    let seenBytes = 0;
    const collected: Buffer[] = [];
    const reading = (async () => {
      for await (const c of w.stream) collected.push(c as Buffer);
    })();
    await w.add(
      {
        archivePath: 'big.bin',
        path: 'big.bin',
        type: 'file',
        mode: 0o600,
        mtime: new Date(),
        size: 50 * 64 * 1024,
        open: () => Readable.from(parts),
      },
      (chunk) => {
        seen.update(chunk);
        seenBytes += chunk.length;
      },
    );
    await w.addBuffer('steward-manifest.json', Buffer.from('{}'));
    await w.finish();
    await reading;
    expect(seenBytes).toBe(50 * 64 * 1024);
    const digest = seen.digest('hex');
    expect(digest).toBe(expected.digest('hex'));
    const tarFile = join(fresh('h'), 'b.tar');
    writeFileSync(tarFile, Buffer.concat(collected));
    const out = execFileSync('tar', ['-xOf', tarFile, 'big.bin'], { maxBuffer: 64 * 1024 * 1024 });
    expect(createHash('sha256').update(out).digest('hex')).toBe(digest);
    expect(execFileSync('tar', ['-xOf', tarFile, 'steward-manifest.json'], { encoding: 'utf8' })).toBe('{}');
  });

  it('waits for the reader: content is not read ahead of a stalled consumer', async () => {
    const w = createTarWriter();
    let produced = 0;
    const chunk = Buffer.alloc(64 * 1024, 7);
    const total = 32 * 1024 * 1024;
    const content = new Readable({
      read() {
        produced += chunk.length;
        this.push(chunk);
        if (produced >= total) this.push(null);
      },
    });
    let added = false;
    const adding = w
      .add({
        archivePath: 'f',
        path: 'f',
        type: 'file',
        mode: 0o644,
        mtime: new Date(),
        size: total,
        open: () => content,
      })
      .then(() => {
        added = true;
      });
    await new Promise((r) => setTimeout(r, 200));
    // Only the streams' buffers (a few highWaterMarks) may be filled while nobody reads.
    expect(produced).toBeLessThan(1024 * 1024);
    expect(added).toBe(false);
    let read = 0;
    const reading = (async () => {
      for await (const c of w.stream) read += (c as Buffer).length;
    })();
    await adding;
    await w.finish();
    await reading;
    expect(read).toBe(512 + total + 1024);
  });

  it.each([
    ['shorter', 5],
    ['longer', 20],
  ])('fails the archive when a file is %s than its size', async (_label, actual) => {
    const w = createTarWriter();
    let streamError: Error | null = null;
    const reading = (async () => {
      try {
        for await (const _ of w.stream) {
        }
      } catch (err) {
        streamError = err as Error;
      }
    })();
    const entry: TarWriteEntry = {
      ...file('data/db.sqlite', 'x'.repeat(actual)),
      size: 10,
    };
    await expect(w.add(entry)).rejects.toThrow('file changed size while being read: data/db.sqlite');
    await reading;
    expect(streamError).not.toBeNull();
    expect(String(streamError)).toContain('file changed size while being read: data/db.sqlite');
    await expect(w.add(file('next', 'y'))).rejects.toThrow();
    await expect(w.finish()).rejects.toThrow();
  });

  it('fails the archive with the path when reading a file fails', async () => {
    const w = createTarWriter();
    const reading = (async () => {
      for await (const _ of w.stream) {
      }
    })();
    reading.catch(() => {});
    const broken = new Readable({
      read() {
        this.destroy(Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' }));
      },
    });
    await expect(w.add({ ...file('data/secret', 'xxxx'), open: () => broken })).rejects.toThrow(
      'reading data/secret failed: EACCES: permission denied',
    );
    await expect(reading).rejects.toThrow('reading data/secret failed');
  });

  it('rejects a file without content without harming the archive', async () => {
    const w = createTarWriter();
    const { open: _open, ...noContent } = file('x', 'abc');
    await expect(w.add(noContent)).rejects.toThrow('file entry without content: x');
    await w.addBuffer('y', Buffer.from('ok'));
    const chunks: Buffer[] = [];
    const reading = (async () => {
      for await (const c of w.stream) chunks.push(c as Buffer);
    })();
    await w.finish();
    await reading;
    expect(Buffer.concat(chunks).length).toBe(512 + 512 + 1024);
  });

  it('fails add() when the reader goes away', async () => {
    const w = createTarWriter();
    w.stream.destroy();
    await expect(w.add(file('a', 'b'.repeat(100_000)))).rejects.toThrow();
  });

  it('refuses paths it would refuse to extract', async () => {
    const w = createTarWriter();
    await expect(w.add(file('../x', 'a'))).rejects.toThrow(/invalid archive path/);
    await expect(w.add(file('/abs', 'a'))).rejects.toThrow(/invalid archive path/);
    await expect(w.add(file('a//b', 'a'))).rejects.toThrow(/invalid archive path/);
  });

  it('records sizes of 8 GiB and more in a pax header', async () => {
    const size = 9 * 1024 ** 3;
    const w = createTarWriter();
    const block = Buffer.alloc(1024 * 1024);
    let sent = 0;
    // Never-ending content: only the headers and the first bytes are needed.
    const content = new Readable({
      read() {
        if (sent < 4 * block.length) {
          sent += block.length;
          this.push(block);
        }
      },
    });
    const adding = w.add({
      archivePath: 'huge.img',
      path: 'huge.img',
      type: 'file',
      mode: 0o644,
      mtime: t('2024-01-01T00:00:00Z'),
      size,
      open: () => content,
    });
    adding.catch(() => {});
    const head: Buffer[] = [];
    let got = 0;
    for await (const c of w.stream) {
      head.push(c as Buffer);
      got += (c as Buffer).length;
      if (got >= 64 * 1024) break;
    }
    const tarFile = join(fresh('big'), 'head.tar');
    writeFileSync(tarFile, Buffer.concat(head));
    // Truncated on purpose: tar lists the header, then complains about the missing data.
    const r = spawnSync('tar', ['--numeric-owner', '-tvf', tarFile], { encoding: 'utf8' });
    expect(r.stdout).toMatch(new RegExp(`^-rw-r--r-- 0/0 +${size} .* huge\\.img$`, 'm'));
    const raw = Buffer.concat(head).subarray(0, 1024).toString('latin1');
    expect(raw).toContain(`size=${size}\n`);
    await expect(adding).rejects.toThrow();
  });
});
