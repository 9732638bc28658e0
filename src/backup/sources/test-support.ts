import { createWriteStream } from 'node:fs';
import { chmod, lchown, lutimes, mkdir, mkdtemp, symlink, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { silentLogger } from '../../core/logger.js';
import type { ArchiveEntry, DrillContext, SourceContext } from '../types.js';

/**
 * Helpers for the source tests (not used at run time): a context that records warnings, and
 * `materialize`, which writes entries to disk the way the engine's restore extracts them.
 */
export interface RecordingContext extends SourceContext {
  warnings: Array<{ message: string; details?: Record<string, unknown> }>;
}

export async function tempDir(prefix = 'steward-src-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}

export function sourceContext(scratchDir: string, signal = new AbortController().signal): RecordingContext {
  const warnings: RecordingContext['warnings'] = [];
  return {
    scratchDir,
    signal,
    logger: silentLogger(),
    warnings,
    warn: (message, details) => warnings.push({ message, details }),
  };
}

export function drillContext(scratchDir: string, extra: Partial<DrillContext> = {}): DrillContext {
  return { scratchDir, signal: new AbortController().signal, logger: silentLogger(), ...extra };
}

/** Entry paths, in order. */
export async function entryPaths(entries: AsyncIterable<ArchiveEntry>): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of entries) out.push(entry.path);
  return out;
}

export async function readEntry(entry: ArchiveEntry): Promise<Buffer> {
  if (!entry.open) throw new Error(`${entry.path} has no content`);
  const chunks: Buffer[] = [];
  for await (const chunk of entry.open()) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Writes `entries` under `dir` (modes, times and, as root, owners applied) and returns them.
 * Throws when a file's content does not have the size its entry announced.
 */
export async function materialize(
  entries: AsyncIterable<ArchiveEntry>,
  dir: string,
): Promise<ArchiveEntry[]> {
  const seen: ArchiveEntry[] = [];
  await mkdir(dir, { recursive: true });
  for await (const entry of entries) {
    seen.push(entry);
    const target = path.join(dir, entry.path);
    if (entry.type === 'directory') {
      await mkdir(target, { recursive: true, mode: 0o700 });
    } else if (entry.type === 'symlink') {
      await symlink(entry.linkname ?? '', target);
    } else {
      if (!entry.open) throw new Error(`${entry.path}: file without open()`);
      let bytes = 0;
      const count = new Transform({
        transform(chunk: Buffer, _enc, callback) {
          bytes += chunk.length;
          callback(null, chunk);
        },
      });
      await pipeline(entry.open(), count, createWriteStream(target, { mode: 0o600 }));
      if (bytes !== entry.size) throw new Error(`${entry.path}: announced ${entry.size} bytes, got ${bytes}`);
    }
  }
  // Metadata last, deepest first: writing into a directory changes its mtime.
  for (const entry of [...seen].reverse()) {
    const target = path.join(dir, entry.path);
    if (process.getuid?.() === 0 && entry.uid !== undefined && entry.gid !== undefined) {
      await lchown(target, entry.uid, entry.gid);
    }
    if (entry.type === 'symlink') {
      await lutimes(target, entry.mtime, entry.mtime);
    } else {
      await chmod(target, entry.mode);
      await utimes(target, entry.mtime, entry.mtime);
    }
  }
  return seen;
}
