/** Tar streams for tests: one written by Steward's writer, one crafted with tar-stream (it can say anything an attacker likes). */
import tar, { type Header } from 'tar-stream';
import type { TarWriteEntry } from './tar-header.js';
import { createTarWriter } from './tar-write.js';

export type RawEntry = Partial<Header> & Pick<Header, 'name'> & { content?: string | Buffer };

/** A tar stream built with tar-stream directly. */
export async function rawTar(entries: readonly RawEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const ended = new Promise<void>((resolve, reject) => {
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
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

/** Entries run through Steward's tar writer, its stream consumed concurrently. */
export async function stewardTar(entries: readonly TarWriteEntry[]): Promise<Buffer> {
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
