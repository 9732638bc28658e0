import { randomBytes } from 'node:crypto';
import { Readable, type Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createParallelGzip, defaultGzipConcurrency } from './gzip-parallel.js';

const MiB = 1024 * 1024;

function textMiB(seed: number): Buffer {
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
  const lines: string[] = [];
  let len = 0;
  while (len < MiB) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const line = `2024-05-0${x % 9} ${words[x % 10]} ${words[(x >> 4) % 10]}=${x % 100000} ${words[(x >> 8) % 10]}\n`;
    lines.push(line);
    len += line.length;
  }
  return Buffer.from(lines.join('')).subarray(0, MiB);
}

/** Feed `chunks` through `transform` and return MB/s of input and the output size. */
async function measure(chunks: Buffer[], transform: Transform): Promise<{ mbps: number; out: number }> {
  let out = 0;
  const t0 = performance.now();
  await pipeline(
    Readable.from(chunks),
    transform,
    new Writable({
      write(c: Buffer, _e, cb) {
        out += c.length;
        cb();
      },
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const bytes = chunks.reduce((n, c) => n + c.length, 0);
  return { mbps: bytes / MiB / seconds, out };
}

// Prints numbers for people; asserts nothing about timing (the machine is shared).
describe('parallel gzip throughput', () => {
  it('compares with single-stream zlib on 64 MiB of mixed and of random data', async () => {
    const text = Array.from({ length: 4 }, (_, i) => textMiB(i + 1));
    // 4 MiB runs, like a tar of logs and media: 32 MiB text, 32 MiB random.
    const mixed = Array.from({ length: 64 }, (_, i) =>
      Math.floor(i / 4) % 2 ? randomBytes(MiB) : text[i % 4]!,
    );
    const random = Array.from({ length: 64 }, () => randomBytes(MiB));
    const rows: string[] = [];
    for (const [name, data] of [
      ['mixed', mixed],
      ['random', random],
    ] as const) {
      const single = await measure(data, zlib.createGzip({ level: 1 }));
      const one = await measure(data, createParallelGzip({ level: 1, concurrency: 1 }));
      const gz = createParallelGzip({ level: 1 });
      const parallel = await measure(data, gz);
      const fmt = (r: { mbps: number; out: number }) =>
        `${r.mbps.toFixed(0).padStart(4)} MiB/s → ${(r.out / MiB).toFixed(1)} MiB`;
      rows.push(
        `${name.padEnd(6)} zlib.createGzip: ${fmt(single)} | blocks, 1 worker: ${fmt(one)} | ` +
          `blocks, ${defaultGzipConcurrency()} workers: ${fmt(parallel)} ` +
          `(${gz.stats.blocksCompressed} compressed, ${gz.stats.blocksStored} stored)`,
      );
      expect(gz.stats.bytesIn).toBe(64 * MiB);
    }
    console.log(`gzip throughput on 64 MiB:\n${rows.join('\n')}`);
  });
});
