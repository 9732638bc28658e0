import { randomBytes } from 'node:crypto';
import { Readable, type Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import {
  createDecryptStream,
  createEncryptStream,
  decryptBuffer,
  encryptBuffer,
  generateIdentity,
} from './index.js';
import { CHUNK_SIZE, SEALED_CHUNK_SIZE } from './payload.js';

const { identity, recipient } = generateIdentity();

const tick = () => new Promise((resolve) => setImmediate(resolve));

function collect(stream: Transform): { bytes: () => number; all: () => Buffer } {
  const out: Buffer[] = [];
  stream.on('data', (b: Buffer) => out.push(b));
  return { bytes: () => out.reduce((n, b) => n + b.length, 0), all: () => Buffer.concat(out) };
}

describe('age streams', () => {
  it('round-trips whatever the write sizes on either side', async () => {
    const writeSizes = [1, 7, 16384, 65535, 65536, 65537, 65552, 65553, 200_000];
    for (const size of [0, 1, 1000, CHUNK_SIZE, 3 * CHUNK_SIZE + 5]) {
      const plaintext = randomBytes(size);
      // Tiny writes only on small inputs, to keep the test quick.
      const sizes = writeSizes.filter(
        (ws) => ws >= 16384 || size <= 1000 || (ws === 7 && size <= CHUNK_SIZE),
      );
      for (const [i, ws] of sizes.entries()) {
        const ct = await encryptBuffer(plaintext, [recipient], ws);
        const back = await decryptBuffer(ct, [identity], sizes[(i + 3) % sizes.length]);
        expect(back.equals(plaintext), `size ${size}, write size ${ws}`).toBe(true);
      }
    }
  });

  it('produces output as input arrives, not at the end', async () => {
    const plaintext = randomBytes(3 * CHUNK_SIZE + 10);
    const enc = createEncryptStream([recipient]);
    const encOut = collect(enc);
    enc.write(plaintext.subarray(0, 3 * CHUNK_SIZE + 1));
    await tick();
    // Three chunks are known not to be last once a byte beyond them has arrived.
    expect(encOut.bytes()).toBeGreaterThanOrEqual(3 * SEALED_CHUNK_SIZE);
    enc.end(plaintext.subarray(3 * CHUNK_SIZE + 1));
    await new Promise((resolve) => enc.on('end', resolve));
    const ct = encOut.all();

    const dec = createDecryptStream([identity]);
    const decOut = collect(dec);
    // Header and nonce come before three full sealed chunks and a final one of 10 + 16 bytes.
    const prelude = ct.length - 3 * SEALED_CHUNK_SIZE - 26;
    dec.write(ct.subarray(0, prelude + 2 * SEALED_CHUNK_SIZE + 1));
    await tick();
    expect(decOut.bytes()).toBe(2 * CHUNK_SIZE);
    dec.end(ct.subarray(prelude + 2 * SEALED_CHUNK_SIZE + 1));
    await new Promise((resolve) => dec.on('end', resolve));
    expect(decOut.all().equals(plaintext)).toBe(true);
  });

  it('throughput smoke check, with bounded buffering', async () => {
    const total = 32 * 1024 * 1024;
    const block = randomBytes(CHUNK_SIZE);
    const source = () =>
      Readable.from(
        (function* () {
          for (let n = 0; n < total; n += CHUNK_SIZE) yield block;
        })(),
      );
    let maxBuffered = 0;
    const sink = (stream: Transform, onChunk: (b: Buffer) => void) =>
      new Writable({
        write(chunk: Buffer, _e, cb) {
          maxBuffered = Math.max(maxBuffered, stream.readableLength + stream.writableLength);
          onChunk(chunk);
          cb();
        },
      });
    const timed = async (run: () => Promise<void>) => {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      await run();
      const cpu = process.cpuUsage(c0);
      return { wall: performance.now() - t0, cpu: (cpu.user + cpu.system) / 1000 };
    };

    // Each direction runs once untimed, so the JIT has warmed up; timed runs discard their
    // output, as keeping it would time page faults rather than crypto.
    const parts: Buffer[] = [];
    const keep = createEncryptStream([recipient]);
    await pipeline(
      source(),
      keep,
      sink(keep, (b) => parts.push(b)),
    );
    const enc = createEncryptStream([recipient]);
    const encTime = await timed(() =>
      pipeline(
        source(),
        enc,
        sink(enc, () => {}),
      ),
    );

    const decryptAll = async () => {
      const dec = createDecryptStream([identity]);
      let outBytes = 0;
      await pipeline(
        Readable.from(parts),
        dec,
        sink(dec, (b) => (outBytes += b.length)),
      );
      expect(outBytes).toBe(total);
    };
    await decryptAll();
    const decTime = await timed(decryptAll);
    expect(maxBuffered).toBeLessThan(8 * SEALED_CHUNK_SIZE);

    const mbps = (ms: number) => (total / 1e6 / (ms / 1000)).toFixed(0);
    console.log(
      `age throughput (32 MiB): encrypt ${mbps(encTime.wall)} MB/s (${mbps(encTime.cpu)} per CPU second), ` +
        `decrypt ${mbps(decTime.wall)} MB/s (${mbps(decTime.cpu)} per CPU second)`,
    );
  });
});
