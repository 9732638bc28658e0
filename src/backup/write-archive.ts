import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createEncryptStream } from './age/index.js';
import { createParallelGzip, createTarWriter, type TarWriter } from './archive/index.js';
import type { TargetUpload } from './types.js';

/** One target receiving the archive bytes; a failing sink is dropped without failing the others. */
export interface ArchiveSink {
  target: string;
  upload: TargetUpload;
  error?: Error;
  location?: string;
}

export interface WrittenArchive {
  sha256: string;
  size: number;
  plainBytes: number;
}

function waitForDrain(sink: ArchiveSink): Promise<void> {
  const stream = sink.upload.stream;
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('error', done);
      stream.off('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('error', done);
    stream.once('close', done);
  });
}

/**
 * tar → gzip members (several cores) → age → every sink at once, hashing the ciphertext on
 * the way. Memory stays bounded: each stage applies backpressure, and the slowest live sink
 * paces the whole pipeline. `produce` adds the entries and must not call `finish`.
 */
export async function writeArchive(opts: {
  recipients: string[];
  level: number;
  sinks: ArchiveSink[];
  signal: AbortSignal;
  produce: (tar: TarWriter) => Promise<void>;
}): Promise<WrittenArchive> {
  const tar = createTarWriter();
  const gzip = createParallelGzip({ level: opts.level });
  const encrypt = createEncryptStream(opts.recipients);
  const hash = createHash('sha256');
  let size = 0;
  let plainBytes = 0;
  const countPlain = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      plainBytes += chunk.length;
      cb(null, chunk);
    },
  });
  for (const sink of opts.sinks) {
    sink.upload.stream.on('error', (err: Error) => {
      sink.error ??= err;
    });
  }
  const live = () => opts.sinks.filter((s) => !s.error);

  async function consume(source: AsyncIterable<Buffer>): Promise<void> {
    for await (const chunk of source) {
      hash.update(chunk);
      size += chunk.length;
      const sinks = live();
      if (sinks.length === 0) throw new Error(everyTargetFailed(opts.sinks));
      await Promise.all(
        sinks.map(async (sink) => {
          if (!sink.upload.stream.write(chunk)) await waitForDrain(sink);
        }),
      );
    }
  }

  const piped = pipeline(tar.stream, countPlain, gzip, encrypt, consume, { signal: opts.signal });
  const produced = (async () => {
    await opts.produce(tar);
    await tar.finish();
  })().catch((err: unknown) => {
    tar.stream.destroy(err as Error);
    throw err;
  });
  // Whichever side fails first decides; the other is torn down by the destroy above or the pipeline.
  await Promise.all([produced, piped]);

  await Promise.all(
    live().map(async (sink) => {
      try {
        await new Promise<void>((resolve, reject) => {
          sink.upload.stream.once('error', reject);
          sink.upload.stream.end(() => resolve());
        });
        if (sink.error) throw sink.error;
        sink.location = (await sink.upload.commit()).location;
      } catch (err) {
        sink.error ??= err as Error;
      }
    }),
  );
  await Promise.all(opts.sinks.filter((s) => s.error).map((s) => s.upload.abort().catch(() => {})));
  if (live().length === 0) throw new Error(everyTargetFailed(opts.sinks));
  return { sha256: hash.digest('hex'), size, plainBytes };
}

function everyTargetFailed(sinks: ArchiveSink[]): string {
  return `every target failed: ${sinks.map((s) => `${s.target}: ${s.error?.message ?? 'unknown error'}`).join('; ')}`;
}
