import { availableParallelism } from 'node:os';
import { Transform, type TransformCallback } from 'node:stream';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const gzip = promisify(zlib.gzip);
const deflateRaw = promisify(zlib.deflateRaw);

export interface ParallelGzipOptions {
  /** 1 (fast) … 9. Default 1: backups are I/O- and CPU-bound on small machines. */
  level?: number;
  /** Input bytes per gzip member. Default 1 MiB. */
  blockSize?: number;
  /** Blocks compressed at once. Default: cores, capped below the libuv threadpool size. */
  concurrency?: number;
}

export interface ParallelGzipStats {
  bytesIn: number;
  bytesOut: number;
  blocksCompressed: number;
  /** Blocks that did not compress and were written as stored (level 0) members. */
  blocksStored: number;
}

interface Job {
  result: Buffer | null;
}

/** The probe's deflated size at or above this fraction of its input means "does not compress". */
const INCOMPRESSIBLE_RATIO = 0.97;
const PROBE_SLICES = 4;
const PROBE_SLICE_BYTES = 16 * 1024;
const PROBE_CHUNK = 80 * 1024;

/**
 * libuv runs zlib's async work on its threadpool (4 threads unless UV_THREADPOOL_SIZE says
 * otherwise), shared with fs and dns. Leave one thread free so file reads feeding the
 * archive are not queued behind compression.
 */
export function defaultGzipConcurrency(): number {
  const pool = Number(process.env.UV_THREADPOOL_SIZE) || 4;
  return Math.max(1, Math.min(availableParallelism(), pool - 1));
}

/**
 * pigz-style gzip: the input is cut into blocks and each is compressed into its own gzip
 * member on the threadpool, several at once; members are emitted in input order. The
 * concatenation is one valid gzip stream (RFC 1952 §2.2) that gunzip, pigz and `tar -xz`
 * read like any other. Blocks that do not compress are stored (level 0): random data costs
 * a copy and a CRC, and grows by ~5 bytes per 64 KiB.
 *
 * Memory: at most `concurrency` + 1 blocks in flight plus the one being filled; input is not
 * accepted while they are all busy, and finished members wait while the reader is behind.
 */
export class ParallelGzip extends Transform {
  readonly stats: ParallelGzipStats = { bytesIn: 0, bytesOut: 0, blocksCompressed: 0, blocksStored: 0 };
  private readonly level: number;
  private readonly blockSize: number;
  private readonly concurrency: number;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private readonly jobs: Job[] = [];
  private heldCallback: TransformCallback | null = null;
  private flushing = false;
  private membersOut = 0;
  private wantsData = false;
  /** Input blocks whose compression finished, reused: a fresh 1 MiB per block is garbage V8 frees late. */
  private readonly freeBlocks: Buffer[] = [];

  constructor(opts: ParallelGzipOptions = {}) {
    const blockSize = opts.blockSize ?? 1024 * 1024;
    // Output is buffered up to about one block before members wait in their jobs.
    super({ readableHighWaterMark: blockSize });
    this.level = opts.level ?? 1;
    this.blockSize = blockSize;
    this.concurrency = Math.max(1, opts.concurrency ?? defaultGzipConcurrency());
    if (!(this.blockSize >= 1024)) throw new RangeError('blockSize must be at least 1 KiB');
    if (!(this.level >= 0 && this.level <= 9)) throw new RangeError('level must be 0…9');
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    this.stats.bytesIn += chunk.length;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    this.heldCallback = callback;
    this.advance();
  }

  override _flush(callback: TransformCallback): void {
    this.flushing = true;
    this.heldCallback = callback;
    this.advance();
  }

  override _read(size: number): void {
    // Node asks until a push() returns false; readableLength is no guide here, as it still
    // counts what the reader is about to take.
    this.wantsData = true;
    this.advance();
    super._read(size);
  }

  /**
   * The one state machine: emit finished members in order while the reader wants them,
   * start blocks while there is room, and release the held write/flush callback when the
   * input has been taken in (or, when flushing, everything is out).
   */
  private advance(): void {
    if (this.destroyed) return;
    while (this.wantsData && this.jobs[0]?.result) {
      const job = this.jobs.shift()!;
      this.stats.bytesOut += job.result!.length;
      this.membersOut++;
      this.wantsData = this.push(job.result);
    }
    while (this.canStart() && this.hasBlock()) this.startJob(this.takeBlock());
    if (this.flushing && this.jobs.length === 0 && this.pendingBytes === 0 && this.membersOut === 0) {
      // Empty input still has to be a valid gzip file.
      this.pending.push(Buffer.alloc(0));
      this.startJob(this.takeBlock());
    }

    const cb = this.heldCallback;
    if (!cb) return;
    const done = this.flushing
      ? this.jobs.length === 0 && this.pendingBytes === 0 && this.membersOut > 0
      : this.pendingBytes < this.blockSize;
    if (done) {
      this.heldCallback = null;
      cb();
    }
  }

  /** `concurrency` blocks compressing, plus one finished block waiting for its turn to be emitted. */
  private canStart(): boolean {
    if (this.jobs.length > this.concurrency) return false;
    return this.jobs.filter((j) => j.result === null).length < this.concurrency;
  }

  private hasBlock(): boolean {
    return this.pendingBytes >= this.blockSize || (this.flushing && this.pendingBytes > 0);
  }

  private takeBlock(): Buffer {
    const want = Math.min(this.blockSize, this.pendingBytes);
    const parts: Buffer[] = [];
    let got = 0;
    while (got < want) {
      const head = this.pending[0]!;
      const take = Math.min(head.length, want - got);
      parts.push(take === head.length ? head : head.subarray(0, take));
      if (take === head.length) this.pending.shift();
      else this.pending[0] = head.subarray(take);
      got += take;
    }
    if (want === 0) this.pending.shift();
    this.pendingBytes -= want;
    // Copy: the block must not pin the caller's (possibly much larger) chunks.
    const block = (this.freeBlocks.pop() ?? Buffer.allocUnsafeSlow(this.blockSize)).subarray(0, want);
    let at = 0;
    for (const part of parts) at += part.copy(block, at);
    return block;
  }

  private releaseBlock(block: Buffer): void {
    if (block.buffer.byteLength === this.blockSize) {
      this.freeBlocks.push(Buffer.from(block.buffer, block.byteOffset, this.blockSize));
    }
  }

  private startJob(block: Buffer): void {
    const job: Job = { result: null };
    this.jobs.push(job);
    this.compressBlock(block).then(
      (member) => {
        this.releaseBlock(block);
        job.result = member;
        this.advance();
      },
      (err: Error) => this.destroy(err),
    );
  }

  private async compressBlock(block: Buffer): Promise<Buffer> {
    // Output buffer sized for the whole member: one threadpool round trip instead of one per 16 KiB.
    const chunkSize = Math.max(16 * 1024, block.length + (block.length >> 6) + 1024);
    if (this.level === 0) {
      this.stats.blocksStored++;
      return gzip(block, { level: 0, chunkSize });
    }
    const ratio = block.length > 0 ? await this.probeRatio(block) : 0;
    if (ratio >= INCOMPRESSIBLE_RATIO) {
      this.stats.blocksStored++;
      return gzip(block, { level: 0, chunkSize });
    }
    // Output buffer sized from the probe (with room to spare): a whole-block buffer for a
    // member a tenth its size would be mostly empty memory until the next GC. A member that
    // outgrows it takes a second chunk; that costs a copy, not a wrong result.
    const expected = Math.ceil(block.length * Math.min(1, ratio * 1.25)) + 16 * 1024;
    const member = await gzip(block, { level: this.level, chunkSize: Math.min(chunkSize, expected) });
    // The probe can miss (compressible head, random tail); never emit more than stored would.
    if (member.length > block.length + (block.length >> 12) + 64) {
      this.stats.blocksStored++;
      return gzip(block, { level: 0, chunkSize });
    }
    this.stats.blocksCompressed++;
    return member;
  }

  /**
   * Deflated size ÷ input size of a few slices spread over the block at level 1: ~6 % of the
   * work of the block.
   */
  private async probeRatio(block: Buffer): Promise<number> {
    if (block.length <= PROBE_SLICES * PROBE_SLICE_BYTES) {
      const out = await deflateRaw(block, { level: 1, chunkSize: PROBE_CHUNK });
      return out.length / block.length;
    }
    const step = Math.floor((block.length - PROBE_SLICE_BYTES) / (PROBE_SLICES - 1));
    const slices: Buffer[] = [];
    for (let i = 0; i < PROBE_SLICES; i++) {
      slices.push(block.subarray(i * step, i * step + PROBE_SLICE_BYTES));
    }
    const sample = Buffer.concat(slices);
    const out = await deflateRaw(sample, { level: 1, chunkSize: PROBE_CHUNK });
    return out.length / sample.length;
  }
}

export function createParallelGzip(opts: ParallelGzipOptions = {}): ParallelGzip {
  return new ParallelGzip(opts);
}

/**
 * A gunzip for Steward archives. Node's gunzip reads all members of a multi-member file
 * (like `gzip -d`), which is what the parallel writer produces.
 */
export function createGunzip(): zlib.Gunzip {
  return zlib.createGunzip({ chunkSize: 256 * 1024 });
}
