import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { errorMessage, StewardError } from '../../core/errors.js';
import { type TarWriteEntry, tarHeader } from './tar-header.js';

export interface TarWriter {
  /** The tar bytes (POSIX ustar + pax extended headers). Pipe it somewhere before adding entries. */
  readonly stream: Readable;
  /**
   * Write one entry; resolves once its bytes are in the stream and the reader has caught up.
   * Calls are serialized. `onData` sees each content chunk (to hash it) before it is written.
   */
  add(entry: TarWriteEntry, onData?: (chunk: Buffer) => void): Promise<void>;
  /** A small generated file (the manifest). */
  addBuffer(archivePath: string, content: Buffer, mode?: number, mtime?: Date): Promise<void>;
  /** Write the end-of-archive marker; resolves when the reader has consumed all of `stream`. */
  finish(): Promise<void>;
}

type Sink = ReturnType<tar.Pack['entry']>;

export function sizeChangedError(archivePath: string): StewardError {
  return new StewardError('E_CONFLICT', `file changed size while being read: ${archivePath}`, {
    hint: 'the source must provide a consistent copy (stop the writer or snapshot first)',
  });
}

/**
 * A streaming tar writer over tar-stream's pack(). tar-stream is built on streamx, so its
 * stream is bridged into a Node Readable here; that bridge is also where backpressure is
 * measured, since pack() buffers headers of content-less entries without limit.
 */
export function createTarWriter(): TarWriter {
  const pack = tar.pack();
  let readWaiters: (() => void)[] = [];
  const wakeReaders = () => {
    const waiters = readWaiters;
    readWaiters = [];
    for (const w of waiters) w();
  };
  const stream = new Readable({
    read() {
      pack.resume();
      wakeReaders();
    },
    destroy(err, cb) {
      failure ??= err ?? new Error('tar stream closed before the archive was finished');
      pack.destroy(failure);
      wakeReaders();
      cb(err);
    },
  });
  pack.on('data', (chunk) => {
    if (!stream.push(chunk)) pack.pause();
  });
  pack.on('end', () => stream.push(null));
  pack.on('error', (err: Error) => stream.destroy(err));

  let failure: Error | null = null;
  let queue: Promise<void> = Promise.resolve();
  let finished = false;

  const fail = (err: Error): never => {
    failure ??= err;
    stream.destroy(failure);
    throw err;
  };

  /** Resolves once the reader has taken what is buffered (or the stream failed). */
  const readerCaughtUp = () =>
    new Promise<void>((resolve) => {
      if (failure || stream.readableLength < stream.readableHighWaterMark) resolve();
      else readWaiters.push(resolve);
    });

  const entryDone = (sink: Sink) =>
    new Promise<void>((resolve, reject) => {
      sink.on('close', () => (failure ? reject(failure) : resolve()));
    });

  const waitDrain = (sink: Sink) =>
    new Promise<void>((resolve) => {
      const done = () => {
        sink.off('drain', done);
        sink.off('close', done);
        resolve();
      };
      sink.on('drain', done);
      sink.on('close', done);
    });

  async function writeEntry(entry: TarWriteEntry, onData?: (chunk: Buffer) => void): Promise<void> {
    if (failure) throw failure;
    // Checked before anything is written, so a bad entry does not cost the archive.
    const header = tarHeader(entry);
    if (entry.type === 'file' && entry.size > 0 && !entry.open) {
      throw new Error(`file entry without content: ${entry.archivePath}`);
    }
    const sink = pack.entry(header);
    sink.on('error', () => {}); // the error reaches the caller through `failure`
    const done = entryDone(sink);
    done.catch(() => {}); // awaited below unless copying fails first, which reports the same error
    // An empty file with content is read too: one that grew must fail, not be cut silently.
    if (entry.type === 'file' && entry.open) await copyContent(entry, entry.open, sink, onData);
    sink.end(undefined);
    await done;
    await readerCaughtUp();
  }

  async function copyContent(
    entry: TarWriteEntry,
    open: () => Readable,
    sink: Sink,
    onData?: (chunk: Buffer) => void,
  ): Promise<void> {
    const content = open();
    let written = 0;
    try {
      for await (const chunk of content) {
        const buf: Buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
        written += buf.length;
        // Checked before writing: past `size` the tar would be corrupt, not just wrong.
        if (written > entry.size) throw sizeChangedError(entry.archivePath);
        onData?.(buf);
        if (failure) throw failure;
        if (!sink.write(buf)) await waitDrain(sink);
      }
      if (written !== entry.size) throw sizeChangedError(entry.archivePath);
    } catch (err) {
      const error =
        err instanceof StewardError || err === failure
          ? (err as Error)
          : new Error(`reading ${entry.archivePath} failed: ${errorMessage(err)}`, { cause: err });
      content.destroy();
      sink.destroy(error);
      fail(error);
    }
  }

  function enqueue(task: () => Promise<void>): Promise<void> {
    const run = queue.then(task);
    queue = run.catch(() => {});
    return run;
  }

  return {
    stream,
    add(entry, onData) {
      if (finished) return Promise.reject(new Error('tar writer already finished'));
      return enqueue(() => writeEntry(entry, onData));
    },
    addBuffer(archivePath, content, mode = 0o644, mtime = new Date()) {
      return this.add({
        archivePath,
        path: archivePath,
        type: 'file',
        mode,
        mtime,
        size: content.length,
        open: () => Readable.from([content]),
      });
    },
    finish() {
      finished = true;
      return enqueue(async () => {
        if (failure) throw failure;
        await new Promise<void>((resolve, reject) => {
          stream.once('end', resolve);
          stream.once('close', () => (failure ? reject(failure) : resolve()));
          pack.finalize();
        });
      });
    },
  };
}
