import type { Duplex, Readable } from 'node:stream';

/**
 * Pipes `first` through `stages` and returns the last stream, with an error anywhere passed
 * down to the end (so a consumer sees it) and `destroy()` of the result tearing down every
 * stage (so a download process or file handle is released).
 */
export function chainStreams(
  first: Readable,
  ...stages: Duplex[]
): Readable & { destroyAll(err?: Error): void } {
  const all: (Readable | Duplex)[] = [first, ...stages];
  let prev: Readable = first;
  for (const stage of stages) {
    prev.on('error', (err) => stage.destroy(err));
    prev = prev.pipe(stage);
  }
  const last = prev as Readable & { destroyAll(err?: Error): void };
  last.destroyAll = (err?: Error) => {
    for (const s of all) if (!s.destroyed) s.destroy(err);
  };
  return last;
}
