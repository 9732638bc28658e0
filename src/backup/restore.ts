import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Readable, Transform } from 'node:stream';

import type { CommandContext } from '../core/context.js';
import { StewardError } from '../core/errors.js';
import type { BackupArchive } from '../store/backup-archives.js';
import { createDecryptStream } from './age/index.js';
import { createGunzip, extractTar } from './archive/index.js';
import {
  type BackupDeps,
  backupsOf,
  driverFor,
  jobOf,
  lockJob,
  openTarget,
  scratchDir,
} from './job-context.js';
import { requireIdentities } from './keys.js';
import { MANIFEST_NAME, type Manifest, parseManifest } from './manifest.js';
import { ARCHIVE_READ_CHUNK } from './naming.js';
import { chainStreams } from './stream-chain.js';
import { toIntegrityError } from './verify.js';

export interface RestoreOptions {
  /** Archive id, id prefix, run id, file name, or a path to an archive file. */
  ref: string;
  /** Where to extract (must be empty or not exist). Required unless inPlace. */
  to?: string;
  /** Globs on archive paths (`sources/config/**`). */
  only?: string[];
  /** Put every source back where it came from (needs `yes`). */
  inPlace?: boolean;
  yes?: boolean;
  target?: string;
  identity?: string;
  onProgress?: (done: number, total: number | null) => void;
}

export interface RestoreResult {
  archiveId: string | null;
  target: string | null;
  file: string;
  to: string | null;
  files: number;
  bytes: number;
  sources: string[];
  durationMs: number;
}

export interface OpenedArchive {
  archive: BackupArchive | null;
  file: string;
  size: number | null;
  open: () => Promise<Readable>;
}

/** A stored archive's first reachable copy (in the job's target order), or an archive file by path. */
export async function openArchive(
  ctx: CommandContext,
  ref: string,
  targetName?: string,
): Promise<OpenedArchive> {
  if (ref.includes('/') || fs.existsSync(ref)) {
    const file = path.resolve(ref);
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (!stat?.isFile()) throw new StewardError('E_NOT_FOUND', `no archive file ${file}`);
    return {
      archive: null,
      file,
      size: stat.size,
      open: async () => fs.createReadStream(file, { highWaterMark: ARCHIVE_READ_CHUNK }),
    };
  }
  const copies = ctx.store.archives
    .find(ref)
    .filter((a) => a.state === 'completed' || a.state === 'validated')
    .filter((a) => (targetName ? a.target === targetName : true));
  if (copies.length === 0) {
    throw new StewardError('E_NOT_FOUND', `no completed archive matches ${ref}`, {
      hint: 'see `steward backup list`, or pass a path to an archive file',
    });
  }
  const order = backupsOf(ctx).jobs[copies[0]?.job ?? '']?.targets ?? [];
  copies.sort((a, b) => rank(order, a.target) - rank(order, b.target));
  const problems: string[] = [];
  const known = copies.filter((a) => a.target in backupsOf(ctx).targets);
  const opened = await firstReachable(ctx, known, problems);
  if (opened) return opened;
  throw new StewardError('E_EXTERNAL', `no target holding ${ref} is reachable`, {
    hint: problems.join('; '),
  });
}

/** The first of `copies` whose target answers; the others' reasons are added to `problems`. */
export async function firstReachable(
  ctx: CommandContext,
  copies: BackupArchive[],
  problems: string[],
): Promise<OpenedArchive | null> {
  for (const archive of copies) {
    const target = openTarget(ctx, archive.target);
    const readiness = await target.check();
    if (!readiness.ready) {
      problems.push(`${archive.target}: ${readiness.reason}`);
      continue;
    }
    return {
      archive,
      file: archive.location ?? archive.fileName,
      size: archive.size,
      open: () => target.download(archive.fileName),
    };
  }
  return null;
}

function rank(order: readonly string[], target: string): number {
  const i = order.indexOf(target);
  return i === -1 ? order.length : i;
}

function progressTap(total: number | null, onProgress?: (done: number, total: number | null) => void) {
  let done = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      done += chunk.length;
      onProgress?.(done, total);
      cb(null, chunk);
    },
  });
}

/**
 * Decrypts and extracts an archive into `dest` with the safety rules of extractTar (nothing
 * outside `dest`), hashing every file on the way and checking it against the manifest.
 */
export async function restoreToDir(
  opened: OpenedArchive,
  dest: string,
  identities: string[],
  opts: { only?: string[]; onProgress?: RestoreOptions['onProgress']; signal?: AbortSignal } = {},
): Promise<{ manifest: Manifest; files: number; bytes: number }> {
  const hashes = new Map<string, ReturnType<typeof createHash>>();
  const input = chainStreams(
    await opened.open(),
    progressTap(opened.size, opts.onProgress),
    createDecryptStream(identities),
    createGunzip(),
  );
  let stats: { files: number; bytes: number };
  try {
    stats = await extractTar(input, dest, {
      ...(opts.only?.length ? { only: [...opts.only, MANIFEST_NAME] } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      onFileData(archivePath: string, chunk: Buffer) {
        let h = hashes.get(archivePath);
        if (!h) {
          h = createHash('sha256');
          hashes.set(archivePath, h);
        }
        h.update(chunk);
      },
    });
  } catch (err) {
    input.destroyAll();
    throw toIntegrityError(err);
  }
  const manifestFile = path.join(dest, MANIFEST_NAME);
  if (!fs.existsSync(manifestFile)) {
    throw new StewardError(
      'E_INTEGRITY',
      `the archive has no ${MANIFEST_NAME}; it is not a Steward archive or is damaged`,
    );
  }
  const manifest = parseManifest(fs.readFileSync(manifestFile));
  const listed = new Map(manifest.entries.map((e) => [e.path, e]));
  for (const [p, h] of hashes) {
    if (p === MANIFEST_NAME) continue;
    const want = listed.get(p.replace(/^\.\//, ''));
    const got = h.digest('hex');
    if (!want || want.sha256 !== got) {
      throw new StewardError('E_INTEGRITY', `restored file ${p} does not match the manifest`, {
        hint: 'the archive is damaged; restore from another copy',
      });
    }
  }
  return { manifest, files: stats.files, bytes: stats.bytes };
}

/** `steward restore`: into a directory, or (`--in-place --yes`) back where every source came from. */
export async function restoreArchive(
  ctx: CommandContext,
  opts: RestoreOptions,
  _deps: BackupDeps = {},
): Promise<RestoreResult> {
  const started = Date.now();
  if (!opts.inPlace && !opts.to) {
    throw new StewardError('E_USAGE', 'say where to restore: --to <dir>, or --in-place --yes');
  }
  if (opts.inPlace && !opts.yes) {
    throw new StewardError('E_USAGE', '--in-place replaces live data and needs --yes', {
      hint: 'restore into a directory first with --to to look at it',
    });
  }
  const identities = requireIdentities(backupsOf(ctx).encryption, opts.identity, 'restore');
  const opened = await openArchive(ctx, opts.ref, opts.target);
  const dest = opts.inPlace ? scratchDir(ctx, 'restore') : path.resolve(opts.to as string);
  if (!opts.inPlace) assertEmptyDir(dest);

  const restoredSources: string[] = [];
  let result: { manifest: Manifest; files: number; bytes: number };
  try {
    result = await restoreToDir(opened, dest, identities, {
      ...(opts.only ? { only: opts.only } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });
    if (opts.inPlace) {
      const job = jobOf(ctx, result.manifest.job);
      const lock = lockJob(ctx, result.manifest.job, 'restore');
      try {
        // Check every selected source can go back before touching any: no half-restored box.
        const selected = result.manifest.sources.filter((src) =>
          fs.existsSync(path.join(dest, 'sources', src.name)),
        );
        const plan = selected.map((src) => {
          const config = job.sources.find((s) => s.name === src.name);
          if (!config) {
            throw new StewardError(
              'E_CONFIG',
              `source ${src.name} of the archive is not in job ${result.manifest.job} any more`,
              {
                hint: `restore with --to and put it back by hand; its files are under sources/${src.name}/`,
              },
            );
          }
          if (config.type === 'command' && !config.restore) {
            throw new StewardError(
              'E_USAGE',
              `source ${src.name} is a command without a restore: command; it cannot go back in place`,
              {
                hint: `add restore: to the source, or leave it out with --only (e.g. --only "sources/<other>/**")`,
              },
            );
          }
          return { src, config };
        });
        for (const { src, config } of plan) {
          await driverFor(config).restoreInPlace(config, path.join(dest, 'sources', src.name), {
            signal: AbortSignal.timeout(24 * 3600_000),
            logger: ctx.logger.child({ source: src.name }),
            scratchDir: scratchDir(ctx, `restore-${src.name}`),
          });
          restoredSources.push(src.name);
        }
      } finally {
        lock.release();
      }
    } else {
      restoredSources.push(...result.manifest.sources.map((s) => s.name));
    }
  } finally {
    if (opts.inPlace) fs.rmSync(dest, { recursive: true, force: true });
  }
  ctx.store.audit.append({
    actor: ctx.actor,
    action: 'backup.restore',
    target: opened.archive ? `archive:${opened.archive.id}` : `file:${opened.file}`,
    details: {
      to: opts.inPlace ? 'in-place' : dest,
      only: opts.only ?? null,
      sources: restoredSources,
      files: result.files,
      bytes: result.bytes,
    },
  });
  return {
    archiveId: opened.archive?.id ?? null,
    target: opened.archive?.target ?? null,
    file: opened.file,
    to: opts.inPlace ? null : dest,
    files: result.files,
    bytes: result.bytes,
    sources: restoredSources,
    durationMs: Date.now() - started,
  };
}

function assertEmptyDir(dir: string): void {
  const stat = fs.statSync(dir, { throwIfNoEntry: false });
  if (!stat) return;
  if (!stat.isDirectory()) throw new StewardError('E_USAGE', `--to ${dir} exists and is not a directory`);
  if (fs.readdirSync(dir).length > 0) {
    throw new StewardError('E_USAGE', `--to ${dir} is not empty`, {
      hint: 'restore into a new or empty directory; nothing there is overwritten',
    });
  }
}
