import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';

export const currentLogName = 'current.log';

/** A service that never prints a newline must not grow the daemon's memory without bound. */
const maxPartialBytes = 64 * 1024;

export interface LogWriterOptions {
  dir: string;
  maxBytes: number;
  keepFiles: number;
  clock?: Clock;
}

/**
 * Appends `<ISO-8601 UTC> <stream> <line>` lines to <dir>/current.log and rotates it by size
 * (current.log → .1 → .2 …). Partial lines are held per stream until their newline, so a
 * line printed in two writes stays one line.
 */
export class LogWriter {
  readonly #dir: string;
  readonly #file: string;
  readonly #maxBytes: number;
  readonly #keep: number;
  readonly #clock: Clock;
  #out: fs.WriteStream;
  #size: number;
  readonly #partial = new Map<string, Buffer>();
  #closed = false;
  /** Rotated-away streams still writing what they buffered: close() waits for them too. */
  readonly #ending = new Set<Promise<void>>();

  constructor(opts: LogWriterOptions) {
    this.#dir = opts.dir;
    this.#file = path.join(opts.dir, currentLogName);
    this.#maxBytes = opts.maxBytes;
    this.#keep = opts.keepFiles;
    this.#clock = opts.clock ?? systemClock;
    fs.mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
    // Logs carry whatever the service prints (tokens, addresses): keep them to the daemon's user.
    fs.chmodSync(opts.dir, 0o700);
    const { stream, size } = this.#open();
    this.#out = stream;
    this.#size = size;
  }

  /** Writes one whole line; returns false when the caller should wait for whenDrained(). */
  line(stream: string, text: string | Buffer): boolean {
    if (this.#closed) return true;
    const prefix = `${this.#clock.now().toISOString()} ${stream} `;
    const body = typeof text === 'string' ? Buffer.from(text) : text;
    const record = Buffer.concat([Buffer.from(prefix), body, Buffer.from('\n')]);
    // Rotate before a write that would pass the limit, so a file stays under it (one huge line aside).
    if (this.#size > 0 && this.#size + record.length > this.#maxBytes) this.#rotate();
    this.#size += record.length;
    return this.#out.write(record);
  }

  /** Raw output of a stream: complete lines are written, the rest waits for its newline. */
  chunk(stream: string, data: Buffer): boolean {
    let buf = this.#partial.get(stream);
    buf = buf ? Buffer.concat([buf, data]) : data;
    let ok = true;
    let start = 0;
    for (let nl = buf.indexOf(10); nl !== -1; nl = buf.indexOf(10, start)) {
      ok = this.line(stream, buf.subarray(start, nl)) && ok;
      start = nl + 1;
    }
    let rest = buf.subarray(start);
    while (rest.length > maxPartialBytes) {
      ok = this.line(stream, rest.subarray(0, maxPartialBytes)) && ok;
      rest = rest.subarray(maxPartialBytes);
    }
    if (rest.length > 0) this.#partial.set(stream, Buffer.from(rest));
    else this.#partial.delete(stream);
    return ok;
  }

  /** Writes what is left of a stream's last line (the process exited without a newline). */
  flush(stream: string): void {
    const rest = this.#partial.get(stream);
    this.#partial.delete(stream);
    if (rest && rest.length > 0) this.line(stream, rest);
  }

  /** Resolves when the file stream has taken what it buffered (or ended). */
  whenDrained(): Promise<void> {
    const out = this.#out;
    if (!out.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        for (const ev of ['drain', 'finish', 'close', 'error']) out.off(ev, done);
        resolve();
      };
      // An ended stream (rotated away) never emits 'drain': 'finish' or 'close' ends the wait too.
      for (const ev of ['drain', 'finish', 'close', 'error']) out.once(ev, done);
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    for (const stream of [...this.#partial.keys()]) this.flush(stream);
    this.#closed = true;
    this.#end(this.#out);
    // After close() every line is in its file, including those a rotated stream still held.
    await Promise.all([...this.#ending]);
  }

  #end(out: fs.WriteStream): void {
    const ended = new Promise<void>((resolve) => {
      out.end(() => resolve());
      // end()'s callback does not run if the stream failed; 'close' comes either way.
      out.once('close', () => resolve());
    }).finally(() => this.#ending.delete(ended));
    this.#ending.add(ended);
  }

  #open(): { stream: fs.WriteStream; size: number } {
    const fd = fs.openSync(this.#file, 'a', 0o600);
    fs.fchmodSync(fd, 0o600); // the mode of open() applies only to a file it creates
    const size = fs.fstatSync(fd).size;
    const stream = fs.createWriteStream(this.#file, { fd, flags: 'a' });
    // A full disk or a removed directory must not crash the daemon; the next rotation reopens.
    stream.on('error', () => {});
    return { stream, size };
  }

  /*
   * Renaming a file another fd still writes to is safe on POSIX: the old stream's pending
   * writes land in the renamed file (now .1), which is where those lines belong.
   */
  #rotate(): void {
    this.#end(this.#out);
    const rotated = (n: number) => `${this.#file}.${n}`;
    try {
      for (const name of fs.readdirSync(this.#dir)) {
        const m = /^current\.log\.(\d+)$/.exec(name);
        if (m && Number(m[1]) >= this.#keep) fs.rmSync(path.join(this.#dir, name), { force: true });
      }
      for (let n = this.#keep - 1; n >= 1; n--) {
        if (fs.existsSync(rotated(n))) fs.renameSync(rotated(n), rotated(n + 1));
      }
      if (this.#keep > 0) fs.renameSync(this.#file, rotated(1));
      else fs.rmSync(this.#file, { force: true });
    } catch {
      // A failed rename leaves current.log growing; losing rotation beats losing lines.
    }
    try {
      const { stream, size } = this.#open();
      this.#out = stream;
      this.#size = size;
    } catch {
      // The directory went away or the disk is full: this stream fails quietly (its 'error' is
      // swallowed) and the next rotation tries again; the service keeps running regardless.
      this.#out = fs.createWriteStream(this.#file, { flags: 'a', mode: 0o600 }).on('error', () => {});
      this.#size = 0;
    }
  }
}
