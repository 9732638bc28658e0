import type { Readable } from 'node:stream';
import tar from 'tar-stream';

/** One entry of tar-stream's extract(): a streamx Readable of its content, with `header`. */
export type TarEntry = tar.Extract extends AsyncIterable<infer S> ? S : never;
type ReadHeader = Omit<tar.Header, 'pax'> & { pax?: Record<string, string> | null };

/**
 * Parse a tar stream and hand each entry to `handler`, one at a time. The handler must
 * consume the entry's content. The first error (handler, input, parse, abort) stops both
 * the parser and the input and is rethrown.
 *
 * tar-stream is built on streamx, whose streams Node's pipeline() does not fully
 * understand, so the input is fed by hand with backpressure.
 */
export async function forEachTarEntry(
  input: Readable,
  handler: (entry: TarEntry) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  signal?.throwIfAborted();
  const ex = tar.extract();
  const stop = (err?: Error) => {
    ex.destroy(err);
    input.destroy();
  };
  const onAbort = () => stop(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
  signal?.addEventListener('abort', onAbort, { once: true });

  const feeding = (async () => {
    try {
      for await (const chunk of input) {
        if (ex.destroyed) return;
        if (!ex.write(chunk as Buffer)) await drainedOrClosed(ex);
      }
      if (!ex.destroyed) ex.end(undefined);
    } catch (err) {
      ex.destroy(err as Error);
    }
  })();

  try {
    for await (const entry of ex) {
      signal?.throwIfAborted();
      await handler(entry);
    }
    signal?.throwIfAborted();
  } catch (err) {
    stop();
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await feeding;
  }
}

function drainedOrClosed(ws: tar.Extract): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      ws.off('drain', done);
      ws.off('close', done);
      resolve();
    };
    ws.on('drain', done);
    ws.on('close', done);
  });
}

/** The entry's mtime; a pax `mtime` record (sub-second, or outside ustar's range) wins. */
export function entryMtime(header: tar.Header): Date {
  const pax = (header as ReadHeader).pax;
  const seconds = pax?.mtime === undefined ? Number.NaN : Number.parseFloat(pax.mtime);
  if (Number.isFinite(seconds)) return new Date(seconds * 1000);
  return header.mtime ?? new Date(0);
}

/** uid/gid, with pax records for ids too large for the ustar fields. */
export function entryOwner(header: tar.Header): { uid: number; gid: number } {
  const pax = (header as ReadHeader).pax;
  const uid = pax?.uid === undefined ? header.uid : Number.parseInt(pax.uid, 10);
  const gid = pax?.gid === undefined ? header.gid : Number.parseInt(pax.gid, 10);
  return { uid: uid ?? 0, gid: gid ?? 0 };
}
