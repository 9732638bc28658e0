import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { createGunzip, createParallelGzip, type ParallelGzipOptions } from './gzip-parallel.js';
import { createTarWriter } from './tar-write.js';

const dir = mkdtempSync(join(tmpdir(), 'steward-gz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MiB = 1024 * 1024;

/** Log-like text that compresses about 4:1 at level 1, from a fixed seed. */
function textBlock(bytes: number, seed = 1): Buffer {
  const words = [
    'GET',
    'POST',
    '/api/v1/items',
    'status=200',
    'user',
    'id',
    'ok',
    'error',
    'latency_ms',
    'backup',
  ];
  let x = seed;
  const parts: string[] = [];
  let len = 0;
  while (len < bytes) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const line = `2024-05-0${x % 9} ${words[x % 10]} ${words[(x >> 4) % 10]}=${x % 100000} ${words[(x >> 8) % 10]}\n`;
    parts.push(line);
    len += line.length;
  }
  return Buffer.from(parts.join('')).subarray(0, bytes);
}

/** A lazily generated stream: 1 MiB chunks, alternating text / random / zeros per `pattern`. */
function generated(totalBytes: number, pattern: ('text' | 'random' | 'zeros')[]): Readable {
  const text = textBlock(MiB);
  let i = 0;
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= totalBytes) {
        this.push(null);
        return;
      }
      const kind = pattern[i++ % pattern.length];
      const size = Math.min(MiB, totalBytes - sent);
      sent += size;
      if (kind === 'random') this.push(randomBytes(size));
      else if (kind === 'zeros') this.push(Buffer.alloc(size));
      else this.push(Buffer.from(text.subarray(0, size)));
    },
  });
}

async function gzipBuffer(
  input: Buffer,
  opts: ParallelGzipOptions,
): Promise<{ out: Buffer; gz: ReturnType<typeof createParallelGzip> }> {
  const gz = createParallelGzip(opts);
  const chunks: Buffer[] = [];
  await pipeline(
    Readable.from(input.length ? [input] : []),
    gz,
    new Writable({
      write(c: Buffer, _e, cb) {
        chunks.push(c);
        cb();
      },
    }),
  );
  return { out: Buffer.concat(chunks), gz };
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('createParallelGzip', () => {
  it('produces a multi-member gzip stream that gzip, pigz and Node read back', async () => {
    const input = Buffer.concat([
      textBlock(300 * 1024),
      randomBytes(200 * 1024),
      Buffer.alloc(100 * 1024),
      textBlock(123_457, 7),
    ]);
    const { out, gz } = await gzipBuffer(input, { blockSize: 64 * 1024, concurrency: 3 });
    const file = join(dir, 'mixed.gz');
    writeFileSync(file, out);

    execFileSync('gzip', ['-t', file]);
    expect(sha(execFileSync('gunzip', ['-c', file], { maxBuffer: 64 * MiB }))).toBe(sha(input));
    expect(sha(execFileSync('pigz', ['-dc', file], { maxBuffer: 64 * MiB }))).toBe(sha(input));
    expect(sha(zlib.gunzipSync(out))).toBe(sha(input));

    const back: Buffer[] = [];
    await pipeline(Readable.from([out]), createGunzip(), async (src: AsyncIterable<Buffer>) => {
      for await (const c of src) back.push(c);
    });
    expect(sha(Buffer.concat(back))).toBe(sha(input));

    const s = gz.stats;
    expect(s.bytesIn).toBe(input.length);
    expect(s.bytesOut).toBe(out.length);
    expect(s.blocksStored + s.blocksCompressed).toBe(Math.ceil(input.length / (64 * 1024)));
    expect(s.blocksStored).toBeGreaterThanOrEqual(2); // the blocks wholly inside the 200 KiB of random data
    expect(s.blocksCompressed).toBeGreaterThanOrEqual(6);
  });

  it('stores random data instead of growing it', async () => {
    const input = randomBytes(4 * MiB);
    const { out, gz } = await gzipBuffer(input, { blockSize: MiB });
    expect(gz.stats.blocksStored).toBe(4);
    expect(gz.stats.blocksCompressed).toBe(0);
    // Stored deflate blocks: 5 bytes per 64 KiB, plus 18 bytes of gzip framing per member.
    expect(out.length).toBeLessThan(input.length + 4 * (16 * 5 + 18) + 64);
    expect(sha(zlib.gunzipSync(out))).toBe(sha(input));
  });

  it('writes a valid gzip file for empty input', async () => {
    const { out } = await gzipBuffer(Buffer.alloc(0), {});
    const file = join(dir, 'empty.gz');
    writeFileSync(file, out);
    execFileSync('gzip', ['-t', file]);
    expect(zlib.gunzipSync(out).length).toBe(0);
  });

  it('feeds tar -xz: tar writer → parallel gzip → GNU tar', async () => {
    const w = createTarWriter();
    const gz = createParallelGzip({ blockSize: 32 * 1024 });
    const file = join(dir, 'a.tar.gz');
    const chunks: Buffer[] = [];
    const piping = pipeline(
      w.stream,
      gz,
      new Writable({
        write(c: Buffer, _e, cb) {
          chunks.push(c);
          cb();
        },
      }),
    );
    const big = Buffer.concat([textBlock(200 * 1024), randomBytes(100 * 1024)]);
    await w.addBuffer('sources/app/big.bin', big, 0o600, new Date('2024-01-01T00:00:00Z'));
    await w.addBuffer('sources/app/notes.txt', Buffer.from('notes\n'));
    await w.finish();
    await piping;
    writeFileSync(file, Buffer.concat(chunks));
    const out = join(dir, 'tar-out');
    mkdirSync(out);
    execFileSync('tar', ['-xzf', file, '-C', out]);
    expect(sha(readFileSync(join(out, 'sources/app/big.bin')))).toBe(sha(big));
    expect(readFileSync(join(out, 'sources/app/notes.txt'), 'utf8')).toBe('notes\n');
  });

  it('reads ahead of a stalled consumer by a bounded number of blocks only', async () => {
    const blockSize = 256 * 1024;
    let produced = 0;
    const text = textBlock(blockSize);
    const src = new Readable({
      highWaterMark: blockSize,
      read() {
        produced += blockSize;
        this.push(text);
      },
    });
    const gz = createParallelGzip({ blockSize, concurrency: 2 });
    src.pipe(gz); // nobody reads gz
    await new Promise((r) => setTimeout(r, 200));
    const early = produced;
    await new Promise((r) => setTimeout(r, 200));
    expect(produced).toBe(early);
    // (concurrency + 1) blocks in jobs, one being filled, about one block of output (here,
    // several 4:1-compressed members), one chunk each in gz's writable and src's buffers.
    expect(produced / blockSize).toBeLessThanOrEqual(10);
    let got = 0;
    gz.on('data', (c: Buffer) => {
      got += c.length;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toBeGreaterThan(0);
    src.destroy();
    gz.destroy();
  });

  it('keeps memory bounded on 200 MiB of generated data, and the data survives', async () => {
    const gz = createParallelGzip({});
    const hashIn = createHash('sha256');
    const hashOut = createHash('sha256');
    const src = generated(200 * MiB, ['text', 'random', 'zeros', 'random']);
    src.on('data', (c: Buffer) => hashIn.update(c));
    const base = process.memoryUsage().rss;
    let peak = base;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    try {
      await pipeline(
        src,
        gz,
        createGunzip(),
        new Writable({
          write(c: Buffer, _e, cb) {
            hashOut.update(c);
            cb();
          },
        }),
      );
    } finally {
      clearInterval(timer);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    const growthMb = (peak - base) / MiB;
    const s = gz.stats;
    console.log(
      `parallel gzip, 200 MiB generated: rss growth ${growthMb.toFixed(1)} MB; ` +
        `${s.blocksCompressed} blocks compressed, ${s.blocksStored} stored; ${(s.bytesOut / MiB).toFixed(1)} MiB out`,
    );
    expect(growthMb).toBeLessThan(60);
    expect(s.bytesIn).toBe(200 * MiB);
    expect(s.blocksStored).toBe(100);
    expect(hashOut.digest('hex')).toBe(hashIn.digest('hex'));
  });
});
