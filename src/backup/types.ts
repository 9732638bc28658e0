import type { Readable, Writable } from 'node:stream';
import type { Logger } from '../core/logger.js';

/**
 * The contracts between the backup engine and its drivers. Sources produce entries that the
 * engine writes into one tar stream under `sources/<name>/`; targets store the finished,
 * encrypted archive. Each kind has a registry (`sources/index.ts`, `targets/index.ts`) and
 * one shared contract test.
 */

/** One filesystem object a source contributes to the archive. */
export interface ArchiveEntry {
  /** Relative to the source root: POSIX separators, no leading '/', no '.' or '..' segments. */
  path: string;
  type: 'file' | 'directory' | 'symlink';
  /** Permission bits (e.g. 0o644). */
  mode: number;
  mtime: Date;
  /** Bytes of content; files only (0 for others). Must match what `open()` yields. */
  size: number;
  /** Symlink target, kept verbatim. */
  linkname?: string;
  uid?: number;
  gid?: number;
  /** Files only: the content. Called once, when the engine writes the entry. */
  open?: () => Readable;
}

export interface SourceContext {
  /** A private, empty directory the source may use for a consistent copy; removed afterwards. */
  scratchDir: string;
  signal: AbortSignal;
  logger: Logger;
  /** Record a non-fatal problem (a skipped special file…); it ends up in the run's warnings. */
  warn(message: string, details?: Record<string, unknown>): void;
}

export interface SourceSnapshot {
  /** The entries, in archive order; directories before their contents. */
  entries: AsyncIterable<ArchiveEntry>;
  /** Source-specific facts for the manifest (e.g. postgres server version, sqlite page count). */
  meta?: Record<string, unknown>;
  /** Always called, after success or failure: restart stopped containers, drop temp files. */
  cleanup(): Promise<void>;
}

export interface RestoreContext {
  signal: AbortSignal;
  logger: Logger;
  /** A private scratch directory for the duration of the restore. */
  scratchDir: string;
}

export interface DrillContext extends RestoreContext {
  /**
   * For database sources: a connection URL to an empty scratch database the drill may fill,
   * when the drill has one to offer (postgres). Dropped by the drill afterwards.
   */
  scratchDatabaseUrl?: string;
}

export interface DrillCheck {
  ok: boolean;
  /** What was checked and what it found: "integrity_check ok, 3 tables, 10412 rows". */
  message: string;
  details?: Record<string, unknown>;
}

/**
 * A backup source type. `C` is the parsed config of one source (its zod schema lives in the
 * driver's folder as `schema`), always with `type` and `name`.
 */
export interface SourceDriver<C extends { type: string; name: string }> {
  readonly type: C['type'];
  /**
   * The snapshot is a private copy in scratch that touches nothing else (no containers stopped,
   * no user command run), so it may be taken while the previous source is still being written.
   */
  readonly snapshotAhead?: boolean;
  /** Produce the entries of a consistent copy of the source. */
  snapshot(config: C, ctx: SourceContext): Promise<SourceSnapshot>;
  /**
   * Put the data back where it came from, from `extractedDir` (the restored `sources/<name>/`
   * directory). Atomic where the medium allows it (sqlite: temp file + rename).
   */
  restoreInPlace(config: C, extractedDir: string, ctx: RestoreContext): Promise<void>;
  /** Prove the restored copy in `extractedDir` is usable (integrity check, pg_restore …). */
  drillCheck(config: C, extractedDir: string, ctx: DrillContext): Promise<DrillCheck>;
}

/** Outcome of a target's pre-flight check. */
export type TargetReadiness =
  | { ready: true }
  /** Not usable now (unmounted USB, unreachable remote): skip it, mark the run degraded. */
  | { ready: false; reason: string };

export interface TargetObject {
  /** File name within the target (no directories). */
  name: string;
  size: number;
  modifiedAt: Date;
}

export interface TargetUpload {
  /** Write the archive bytes here. */
  stream: Writable;
  /**
   * After `stream` finished: make the object durable under its final name (local: fsync,
   * rename from `<name>.partial`, fsync the directory) and return where it is.
   */
  commit(): Promise<{ location: string }>;
  /** Drop whatever was written; never leaves anything under the final name. */
  abort(): Promise<void>;
}

export interface BackupTarget {
  readonly name: string;
  readonly type: string;
  /** Where it points, for people ("/media/usb/steward", "b2:bucket/steward"). */
  readonly description: string;
  check(signal?: AbortSignal): Promise<TargetReadiness>;
  /** Start writing `name` (via `<name>.partial` or the remote equivalent). */
  upload(name: string, signal?: AbortSignal): Promise<TargetUpload>;
  /** Write a small object (the `.sha256` sidecar) crash-safely. */
  putSmall(name: string, content: Buffer, signal?: AbortSignal): Promise<void>;
  /** Completed objects only (no partials). */
  list(signal?: AbortSignal): Promise<TargetObject[]>;
  download(name: string, signal?: AbortSignal): Promise<Readable>;
  /** Deleting a missing object is not an error. */
  remove(name: string, signal?: AbortSignal): Promise<void>;
  /** Remove leftovers of interrupted uploads; returns the names removed. */
  removePartials(signal?: AbortSignal): Promise<string[]>;
}

export interface TargetDriver<C extends { type: string }> {
  readonly type: C['type'];
  create(name: string, config: C, deps: { logger: Logger }): BackupTarget;
}

export type { Readable, Writable };
