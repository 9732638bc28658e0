import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { listTar, type TarEntryInfo } from './tar-list.js';
import { createTarWriter } from './tar-write.js';

async function archive(): Promise<Buffer> {
  const w = createTarWriter();
  const chunks: Buffer[] = [];
  const reading = (async () => {
    for await (const c of w.stream) chunks.push(c as Buffer);
  })();
  const mtime = new Date('2024-01-01T00:00:00Z');
  await w.add({ archivePath: 'sources/a', path: 'a', type: 'directory', mode: 0o750, mtime, size: 0 });
  await w.addBuffer('sources/a/one', Buffer.alloc(300_000, 1), 0o600, mtime);
  await w.addBuffer('sources/a/two', Buffer.from('two'), 0o644, mtime);
  await w.add({
    archivePath: 'sources/a/l',
    path: 'l',
    type: 'symlink',
    mode: 0o777,
    mtime,
    size: 0,
    linkname: 'one',
  });
  await w.addBuffer('sources/a/three', Buffer.alloc(100_000, 3), 0o644, mtime);
  await w.finish();
  await reading;
  return Buffer.concat(chunks);
}

describe('listTar', () => {
  it('reports every entry and lets the caller hash content', async () => {
    const entries: TarEntryInfo[] = [];
    const hashes: Record<string, string> = {};
    const r = await listTar(Readable.from([await archive()]), async (entry, content) => {
      entries.push(entry);
      const h = createHash('sha256');
      for await (const c of content) h.update(c);
      hashes[entry.path] = h.digest('hex');
    });
    expect(r).toEqual({ entries: 5, bytes: 400_003 });
    expect(entries.map((e) => [e.path, e.type, e.mode, e.size])).toEqual([
      ['sources/a', 'directory', 0o750, 0],
      ['sources/a/one', 'file', 0o600, 300_000],
      ['sources/a/two', 'file', 0o644, 3],
      ['sources/a/l', 'symlink', 0o777, 0],
      ['sources/a/three', 'file', 0o644, 100_000],
    ]);
    expect(entries[0]?.name).toBe('sources/a/');
    expect(entries[3]?.linkname).toBe('one');
    expect(entries[1]?.mtime.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(hashes['sources/a/one']).toBe(createHash('sha256').update(Buffer.alloc(300_000, 1)).digest('hex'));
    expect(hashes['sources/a/two']).toBe(createHash('sha256').update('two').digest('hex'));
  });

  it('reads past content the caller ignores or leaves half-read', async () => {
    const paths: string[] = [];
    const r = await listTar(Readable.from([await archive()]), async (entry, content) => {
      paths.push(entry.path);
      if (entry.path.endsWith('one')) {
        for await (const _ of content) break;
      }
    });
    expect(paths).toHaveLength(5);
    expect(r.bytes).toBe(400_003);
  });

  it('fails on truncation and on a callback error', async () => {
    const full = await archive();
    await expect(listTar(Readable.from([full.subarray(0, 200_000)]), () => {})).rejects.toThrow();
    await expect(
      listTar(Readable.from([full]), (e) => {
        if (e.path.endsWith('two')) throw new Error('hash mismatch: two');
      }),
    ).rejects.toThrow('hash mismatch: two');
  });

  it('reports hostile entries as they are, without refusing them', async () => {
    const pack = tar.pack();
    const chunks: Buffer[] = [];
    pack.on('data', (c) => chunks.push(c as Buffer));
    const ended = new Promise<void>((r) => pack.on('end', () => r()));
    pack.entry({ name: '../evil', type: 'file' }, 'x');
    pack.entry({ name: 'dev', type: 'character-device', devmajor: 1, devminor: 3 }).end(undefined);
    pack.finalize();
    await ended;
    const seen: [string, string][] = [];
    await listTar(Readable.from([Buffer.concat(chunks)]), (e) => {
      seen.push([e.path, e.type]);
    });
    expect(seen).toEqual([
      ['../evil', 'file'],
      ['dev', 'character-device'],
    ]);
  });
});
