import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../core/logger.js';
import { stewardVersion } from '../core/version.js';
import type { TarWriter } from './archive/index.js';
import type { BackupJobConfig } from './config-schema.js';
import { driverFor } from './job-context.js';
import {
  MANIFEST_FORMAT,
  MANIFEST_NAME,
  type Manifest,
  type ManifestEntry,
  type ManifestSource,
} from './manifest.js';
import type { SourceConfig } from './sources/index.js';
import type { SourceSnapshot } from './types.js';

export interface WriteSourcesInput {
  tar: TarWriter;
  jobName: string;
  job: BackupJobConfig;
  runId: string;
  startedAt: Date;
  /** Each source gets a private folder below this for its consistent copy. */
  scratch: string;
  signal: AbortSignal;
  log: Logger;
  /** Non-fatal problems, appended as they happen. */
  warnings: string[];
  /** Snapshots not yet cleaned up; the caller cleans whatever is left here if writing fails. */
  open: SourceSnapshot[];
}

interface TakenSnapshot {
  snapshot: SourceSnapshot;
  warnings: string[];
  startedAtMs: number;
}

async function takeSnapshot(input: WriteSourcesInput, source: SourceConfig): Promise<TakenSnapshot> {
  const startedAtMs = Date.now();
  const warnings: string[] = [];
  const dir = path.join(input.scratch, source.name);
  fs.mkdirSync(dir, { mode: 0o700 });
  const snapshot = await driverFor(source).snapshot(source, {
    scratchDir: dir,
    signal: input.signal,
    logger: input.log.child({ source: source.name }),
    warn(message, details) {
      const text = `${source.name}: ${message}${details ? ` ${JSON.stringify(details)}` : ''}`;
      warnings.push(text);
      input.warnings.push(text);
    },
  });
  return { snapshot, warnings, startedAtMs };
}

/**
 * The archive's content: every source under `sources/<name>/`, each file hashed as it is
 * written, then `steward-manifest.json` last (it can only list hashes once they are known).
 */
export async function writeSources(input: WriteSourcesInput): Promise<{ bytes: number; files: number }> {
  const { tar, job, signal, startedAt } = input;
  const entries: ManifestEntry[] = [];
  const sources: ManifestSource[] = [];
  let totalBytes = 0;
  let totalFiles = 0;
  const taking = new Map<number, Promise<TakenSnapshot>>();
  const take = (index: number): Promise<TakenSnapshot> => {
    let taken = taking.get(index);
    if (!taken) {
      taken = takeSnapshot(input, job.sources[index] as SourceConfig);
      taken.catch(() => {}); // awaited in turn, or cleaned up below
      taking.set(index, taken);
    }
    return taken;
  };
  let reached = -1;
  try {
    for (const [index, source] of job.sources.entries()) {
      const { snapshot, warnings: sourceWarnings, startedAtMs } = await take(index);
      input.open.push(snapshot);
      reached = index;
      // A copy-to-scratch source (SQLite, PostgreSQL) is copied while this one streams:
      // the copy and the compression then run on different cores.
      const next = job.sources[index + 1];
      if (next && driverFor(next).snapshotAhead) void take(index + 1);
      // The source's folder is always in the archive, so an empty source still restores.
      const root = `sources/${source.name}`;
      await tar.add({
        path: '',
        archivePath: root,
        type: 'directory',
        mode: 0o700,
        mtime: startedAt,
        size: 0,
      });
      entries.push({ path: root, type: 'directory', size: 0 });
      let bytes = 0;
      let files = 0;
      for await (const entry of snapshot.entries) {
        signal.throwIfAborted();
        const archivePath = `${root}/${entry.path}`;
        const hash = entry.type === 'file' ? createHash('sha256') : null;
        await tar.add({ ...entry, archivePath }, hash ? (chunk) => hash.update(chunk) : undefined);
        entries.push({
          path: archivePath,
          type: entry.type,
          size: entry.type === 'file' ? entry.size : 0,
          ...(hash ? { sha256: hash.digest('hex') } : {}),
          ...(entry.linkname !== undefined ? { linkname: entry.linkname } : {}),
        });
        if (entry.type === 'file') {
          bytes += entry.size;
          files += 1;
        }
      }
      await snapshot.cleanup();
      input.open.splice(input.open.indexOf(snapshot), 1);
      sources.push({
        name: source.name,
        type: source.type,
        bytes,
        files,
        duration_ms: Date.now() - startedAtMs,
        ...(snapshot.meta ? { meta: snapshot.meta } : {}),
        warnings: sourceWarnings,
      });
      totalBytes += bytes;
      totalFiles += files;
    }
  } catch (err) {
    // The caller cleans up `open`; a snapshot taken ahead for a source not reached is ours.
    for (const [index, taken] of taking) {
      if (index > reached)
        await taken.then(
          (t) => t.snapshot.cleanup(),
          () => {},
        );
    }
    throw err;
  }
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    job: input.jobName,
    run_id: input.runId,
    host: os.hostname(),
    steward_version: stewardVersion,
    created_at: startedAt.toISOString(),
    compression: `gzip -${job.compression_level} (members)`,
    sources,
    entries,
  };
  await tar.addBuffer(MANIFEST_NAME, Buffer.from(`${JSON.stringify(manifest, null, 1)}\n`), 0o600, startedAt);
  return { bytes: totalBytes, files: totalFiles };
}
