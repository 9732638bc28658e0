import type { FileHandle } from 'node:fs/promises';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { currentLogName } from './log-writer.js';

export interface ReadLogsOptions {
  /** Only lines stamped at or after this instant. */
  since?: Date;
  /** Only the last N lines (of those that pass `since`). */
  tailLines?: number;
}

const pollMs = 200;
const rotatedName = /^current\.log\.(\d+)$/;
const stamp = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z$/;

/** Reads a file from a byte position in whole lines, keeping a trailing partial line for later. */
class FileTail {
  pos = 0;
  #partial = Buffer.alloc(0);
  constructor(
    readonly fh: FileHandle,
    readonly ino: number,
  ) {}

  /** Complete lines from `pos` to the current end of the file. */
  async *lines(): AsyncGenerator<string> {
    const buf = Buffer.alloc(64 * 1024);
    for (;;) {
      const { bytesRead } = await this.fh.read(buf, 0, buf.length, this.pos);
      if (bytesRead === 0) return;
      this.pos += bytesRead;
      const data = Buffer.concat([this.#partial, buf.subarray(0, bytesRead)]);
      let start = 0;
      for (let nl = data.indexOf(10); nl !== -1; nl = data.indexOf(10, start)) {
        const line = data.toString('utf8', start, nl);
        start = nl + 1;
        yield line;
      }
      this.#partial = Buffer.from(data.subarray(start));
    }
  }

  /** All the rest, including a last line without a newline. */
  async *drain(): AsyncGenerator<string> {
    yield* this.lines();
    if (this.#partial.length > 0) yield this.#partial.toString('utf8');
    this.#partial = Buffer.alloc(0);
  }

  /** The file was truncated under us: start over from its beginning. */
  rewind(): void {
    this.pos = 0;
    this.#partial = Buffer.alloc(0);
  }
}

async function openTail(file: string): Promise<FileTail | null> {
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch {
    return null; // not there (yet), or rotated away between listing and opening
  }
  return new FileTail(fh, (await fh.stat()).ino);
}

/** Rotated files as [number, path], newest (.1) first. */
async function listRotated(dir: string): Promise<[number, string][]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const found: [number, string][] = [];
  for (const name of names) {
    const m = rotatedName.exec(name);
    if (m) found.push([Number(m[1]), path.join(dir, name)]);
  }
  return found.sort((a, b) => a[0] - b[0]);
}

/**
 * Opens current.log first, then the rotated files oldest first, so that a rotation in between
 * shows up as a duplicate inode (skipped) rather than as lines read twice.
 */
async function openAll(dir: string): Promise<{ rotated: FileTail[]; current: FileTail | null }> {
  const current = await openTail(path.join(dir, currentLogName));
  const rotated: FileTail[] = [];
  for (const [, file] of (await listRotated(dir)).reverse()) {
    const tail = await openTail(file);
    if (tail && tail.ino !== current?.ino) rotated.push(tail);
    else await tail?.fh.close();
  }
  return { rotated, current };
}

function timestampOf(line: string): number | null {
  const sp = line.indexOf(' ');
  const head = sp === -1 ? line : line.slice(0, sp);
  return stamp.test(head) ? Date.parse(head) : null;
}

/** A line without a timestamp (written by hand, cut short) goes with the line before it. */
function sinceFilter(since: Date | undefined): (line: string) => boolean {
  if (since === undefined) return () => true;
  const min = since.getTime();
  let last = false;
  return (line) => {
    const ts = timestampOf(line);
    if (ts !== null) last = ts >= min;
    return last;
  };
}

async function firstTimestamp(tail: FileTail): Promise<number | null> {
  const buf = Buffer.alloc(64);
  const { bytesRead } = await tail.fh.read(buf, 0, buf.length, 0);
  return timestampOf(buf.toString('utf8', 0, bytesRead));
}

/** The lines already written, oldest first, filtered and tailed; leaves `current` at its end. */
async function* existing(
  rotated: FileTail[],
  current: FileTail | null,
  opts: ReadLogsOptions,
  pass: (line: string) => boolean,
  follow: boolean,
): AsyncGenerator<string> {
  const files = current ? [...rotated, current] : rotated;
  const keep = opts.tailLines;
  let ring: string[] = [];
  for (const [i, file] of files.entries()) {
    // Everything in a file is older than the first line of the next one: skip it whole when that is before `since`.
    const next = files[i + 1];
    if (opts.since && next) {
      const nextStart = await firstTimestamp(next);
      if (nextStart !== null && nextStart < opts.since.getTime()) continue;
    }
    // When following, a partial last line of current.log is still being written: wait for its newline.
    const lines = follow && file === current ? file.lines() : file.drain();
    for await (const line of lines) {
      if (!pass(line)) continue;
      if (keep === undefined) {
        yield line;
        continue;
      }
      ring.push(line);
      if (ring.length > 2 * keep + 1024) ring = ring.slice(-keep);
    }
  }
  if (keep !== undefined && keep > 0) yield* ring.slice(-keep);
}

async function closeAll(tails: (FileTail | null)[]): Promise<void> {
  await Promise.all(tails.map((t) => t?.fh.close().catch(() => {})));
}

/** Lines of <logDir>/current.log and its rotated files, oldest first; nothing when there is no log yet. */
export async function* readLogs(logDir: string, opts: ReadLogsOptions = {}): AsyncGenerator<string> {
  const { rotated, current } = await openAll(logDir);
  try {
    yield* existing(rotated, current, opts, sinceFilter(opts.since), false);
  } finally {
    await closeAll([...rotated, current]);
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * After a rotation: the files rotated since the one we were reading (more than one when the
 * service wrote a lot between two polls), oldest first, without the new current.log.
 */
async function missedFiles(dir: string, oldIno: number, newIno: number | undefined): Promise<FileTail[]> {
  const opened: FileTail[] = [];
  for (const [, file] of await listRotated(dir)) {
    const tail = await openTail(file);
    if (tail === null) continue;
    if (tail.ino === oldIno) {
      await tail.fh.close();
      break;
    }
    if (tail.ino === newIno) await tail.fh.close();
    else opened.push(tail);
  }
  // Not finding the old file means it was rotated past keepLogFiles: then all of them are newer.
  return opened.reverse();
}

/** As readLogs, then every new line as it is written (polled), across rotations, until `signal` aborts. */
export async function* followLogs(
  logDir: string,
  opts: ReadLogsOptions & { signal: AbortSignal },
): AsyncGenerator<string> {
  const { signal } = opts;
  const pass = sinceFilter(opts.since);
  const file = path.join(logDir, currentLogName);
  const { rotated, current: first } = await openAll(logDir);
  let current = first;
  try {
    yield* existing(rotated, current, opts, pass, true);
    await closeAll(rotated);
    while (!signal.aborted) {
      await pause(pollMs, signal);
      if (signal.aborted) break;
      if (current === null) {
        current = await openTail(file);
        if (current === null) continue;
      }
      for await (const line of current.lines()) if (pass(line)) yield line;
      const st = await stat(file).catch(() => null);
      if (st?.ino === current.ino) {
        if (st.size < current.pos) current.rewind();
        continue;
      }
      // Rotated (or removed): what the writer still flushed into the old file, then any file
      // that went by between two polls, then the new current.log from its start.
      for await (const line of current.drain()) if (pass(line)) yield line;
      const oldIno = current.ino;
      await current.fh.close();
      current = await openTail(file);
      const missed = await missedFiles(logDir, oldIno, current?.ino);
      try {
        for (const tail of missed) for await (const line of tail.drain()) if (pass(line)) yield line;
      } finally {
        await closeAll(missed);
      }
    }
  } finally {
    await closeAll([...rotated, current]);
  }
}
