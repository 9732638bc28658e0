import tar, { type ExtractEvents, type Header } from 'tar-stream';
import { abortError, isAbortError } from '../../../core/exec.js';
import { type Helper, startHelper } from './helper.js';
import type { DockerVolumeSourceConfig } from './schema.js';

/** tar-stream's entry content: a streamx Readable. */
export type EntryStream = ExtractEvents['entry'][1];

export interface RawEntry {
  header: Header;
  /** The entry's content; must be read to its end (or drained) before asking for the next. */
  stream: EntryStream;
}

/**
 * The tar stream of (part of) a volume, entry by entry. tar-stream parses the next header only
 * after the current entry's content has been read and next() was called, so at most one entry
 * is in flight and memory stays bounded by the streams' buffers.
 */
export interface VolumeTarReader {
  /** The next entry, or null at the end of the archive. Releases the previous entry. */
  next(): Promise<RawEntry | null>;
  /** After next() returned null: waits for the helper and throws if it failed. */
  finish(): Promise<void>;
  /** Stops the helper and its container; safe to call at any time, more than once. */
  abort(): Promise<void>;
}

/** How long a failed parse waits for the helper's own exit, which usually explains it. */
const EXIT_GRACE_MS = 2000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** Runs `tar -C /volume -cf - <paths>` in a helper container with the volume mounted read-only. */
export async function readVolumeTar(
  config: DockerVolumeSourceConfig,
  paths: string[],
  signal: AbortSignal,
): Promise<VolumeTarReader> {
  if (signal.aborted) throw abortError('aborted before reading the volume', signal.reason);
  const helper = await startHelper(config, {
    readOnly: true,
    command: ['tar', '-C', '/volume', '-cf', '-', ...paths],
  });
  const extract = tar.extract();
  helper.stdout.pipe(extract);

  let pending: (RawEntry & { release: () => void }) | null = null;
  let release: (() => void) | null = null;
  let ended = false;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    const w = wake;
    wake = null;
    w?.();
  };

  extract.on('entry', (header, stream, next) => {
    // Errors of an entry stream are the extract's errors too; without a listener they would throw.
    stream.on('error', () => undefined);
    pending = { header, stream, release: next };
    notify();
  });
  extract.on('finish', () => {
    ended = true;
    notify();
  });
  extract.on('error', (err: Error) => {
    failure ??= err;
    notify();
  });
  extract.on('close', () => {
    if (!ended) failure ??= new Error('the tar stream from the helper container ended early');
    notify();
  });
  const onAbort = () => {
    failure ??= abortError('reading the volume was aborted', signal.reason);
    void helper.stop();
    // With the error, so that an entry being read fails instead of ending short.
    extract.destroy(failure);
    notify();
  };
  signal.addEventListener('abort', onAbort, { once: true });

  const explain = async (err: Error): Promise<Error> => {
    if (isAbortError(err)) return err;
    // A dying helper truncates the stream: its stderr is the real story.
    const exit = helper.exit() ?? (await Promise.race([helper.exited, sleep(EXIT_GRACE_MS)]));
    if (exit && !helper.stopped() && exit.exitCode !== 0) return helper.error(exit, 'reading');
    return err;
  };

  return {
    async next() {
      const previous = release;
      release = null;
      previous?.();
      for (;;) {
        if (failure) throw await explain(failure);
        if (pending) {
          const entry: RawEntry & { release: () => void } = pending;
          pending = null;
          release = entry.release;
          return { header: entry.header, stream: entry.stream };
        }
        if (ended) return null;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
    async finish() {
      const exit = await helper.exited;
      signal.removeEventListener('abort', onAbort);
      if (failure) throw await explain(failure);
      if (exit.exitCode !== 0) throw helper.error(exit, 'reading');
    },
    async abort() {
      signal.removeEventListener('abort', onAbort);
      failure ??= new Error('reading the volume was stopped');
      extract.destroy(failure);
      await stopQuietly(helper);
    },
  };
}

async function stopQuietly(helper: Helper): Promise<void> {
  await helper.stop().catch(() => undefined);
}
