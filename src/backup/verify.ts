import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { CommandContext } from '../core/context.js';
import { errorMessage, isStewardError, StewardError } from '../core/errors.js';
import type { BackupArchive } from '../store/backup-archives.js';
import { type BackupDeps, backupsOf, openTarget } from './job-context.js';
import { loadIdentities } from './keys.js';
import { ARCHIVE_READ_CHUNK, parseSidecar, SIDECAR_SUFFIX } from './naming.js';
import { checkArchiveStream } from './read-archive.js';
import { recordArchiveState } from './record.js';

export interface VerifyOptions {
  /** Archive id, id prefix, run id, file name, or a path to an archive file. */
  ref: string;
  /** Only the copy on this target (default: every copy the store knows). */
  target?: string;
  /** Identity file for a full check; defaults to backups.encryption.identity_file. */
  identity?: string;
  /** Check only the ciphertext checksums even if an identity is available. */
  checksumOnly?: boolean;
}

export interface VerifyResult {
  ok: boolean;
  mode: 'full' | 'checksum';
  archiveId: string | null;
  target: string | null;
  file: string;
  sha256: string | null;
  size: number | null;
  files: number | null;
  bytes: number | null;
  error: string | null;
}

/** A path given on the command line rather than a store reference. */
function isPathRef(ref: string): boolean {
  return ref.includes('/') || fs.existsSync(ref);
}

/** The SHA-256 the sidecar holds, or null when there is none. */
async function readSidecar(read: () => Promise<Readable>): Promise<string | null> {
  try {
    const chunks: Buffer[] = [];
    for await (const c of await read()) chunks.push(c as Buffer);
    return parseSidecar(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return null;
  }
}

export function toIntegrityError(err: unknown): unknown {
  if (isStewardError(err)) return err;
  const e = err as { code?: string; name?: string; message?: string };
  const fromData =
    (typeof e.code === 'string' && (e.code.startsWith('E_AGE') || e.code.startsWith('Z_'))) ||
    /tar|header|gzip|incorrect|unexpected end|invalid/i.test(e.message ?? '');
  return fromData
    ? new StewardError('E_INTEGRITY', `archive is damaged: ${errorMessage(err)}`, {
        cause: err,
        hint: 'use another copy of this archive (another target) or an older archive',
      })
    : err;
}

async function checkOne(opts: {
  file: string;
  open: () => Promise<Readable>;
  sidecar: () => Promise<Readable>;
  expectedSha256: string | null;
  identities: string[] | null;
}): Promise<Omit<VerifyResult, 'archiveId' | 'target'>> {
  const mode = opts.identities ? 'full' : 'checksum';
  const base = { mode, file: opts.file } as const;
  try {
    const sidecar = await readSidecar(opts.sidecar);
    if (!sidecar && !opts.expectedSha256 && !opts.identities) {
      throw new StewardError(
        'E_INTEGRITY',
        `nothing to check ${opts.file} against: no ${SIDECAR_SUFFIX} sidecar and no record`,
        {
          hint: 'pass --identity to check the contents against the manifest inside the archive',
        },
      );
    }
    const check = await checkArchiveStream(await opts.open(), opts.identities);
    for (const [what, want] of [
      ['the sidecar', sidecar],
      ['the store', opts.expectedSha256],
    ] as const) {
      if (want && want !== check.sha256) {
        throw new StewardError('E_INTEGRITY', `SHA-256 of ${opts.file} does not match ${what}`, {
          details: { expected: want, actual: check.sha256 },
          hint: 'the archive was altered or damaged after it was written; use another copy',
        });
      }
    }
    return {
      ...base,
      ok: true,
      sha256: check.sha256,
      size: check.size,
      files: check.files ?? null,
      bytes: check.bytes ?? null,
      error: null,
    };
  } catch (err) {
    return {
      ...base,
      ok: false,
      sha256: null,
      size: null,
      files: null,
      bytes: null,
      error: errorMessage(toIntegrityError(err)),
    };
  }
}

/**
 * `steward backup verify`: proves archives are intact. Without the identity it checks the
 * ciphertext against the sidecar and the store; with it, every file against the manifest.
 * A full pass moves the archive to `validated`; any failure to `failed`.
 */
export async function verifyArchives(
  ctx: CommandContext,
  opts: VerifyOptions,
  deps: BackupDeps = {},
): Promise<VerifyResult[]> {
  const identities = opts.checksumOnly ? null : loadIdentities(backupsOf(ctx).encryption, opts.identity);

  if (isPathRef(opts.ref)) {
    const file = path.resolve(opts.ref);
    if (!fs.existsSync(file)) throw new StewardError('E_NOT_FOUND', `no archive file ${file}`);
    const result = await checkOne({
      file,
      open: async () => fs.createReadStream(file, { highWaterMark: ARCHIVE_READ_CHUNK }),
      sidecar: async () => fs.createReadStream(`${file}${SIDECAR_SUFFIX}`),
      expectedSha256: null,
      identities,
    });
    ctx.store.audit.append({
      actor: ctx.actor,
      action: 'backup.verify',
      target: `file:${file}`,
      details: { ok: result.ok, mode: result.mode, ...(result.error ? { error: result.error } : {}) },
    });
    return [{ ...result, archiveId: null, target: null }];
  }

  const archives = ctx.store.archives
    .find(opts.ref)
    .filter((a) => (opts.target ? a.target === opts.target : true))
    .filter((a) => a.state === 'completed' || a.state === 'validated' || a.state === 'failed');
  if (archives.length === 0) {
    throw new StewardError('E_NOT_FOUND', `no completed archive matches ${opts.ref}`, {
      hint: 'see `steward backup list` for archive ids, or pass a path to an archive file',
    });
  }
  const results: VerifyResult[] = [];
  for (const archive of archives) results.push(await verifyStored(ctx, archive, identities, deps));
  return results;
}

async function verifyStored(
  ctx: CommandContext,
  archive: BackupArchive,
  identities: string[] | null,
  deps: BackupDeps,
): Promise<VerifyResult> {
  const target = openTarget(ctx, archive.target);
  const readiness = await target.check();
  const result: Omit<VerifyResult, 'archiveId' | 'target'> = readiness.ready
    ? await checkOne({
        file: archive.location ?? archive.fileName,
        open: () => target.download(archive.fileName),
        sidecar: () => target.download(`${archive.fileName}${SIDECAR_SUFFIX}`),
        expectedSha256: archive.sha256,
        identities,
      })
    : {
        ok: false,
        mode: identities ? 'full' : 'checksum',
        file: archive.fileName,
        sha256: null,
        size: null,
        files: null,
        bytes: null,
        error: `target ${archive.target} is not available: ${readiness.reason}`,
      };
  const full = { ...result, archiveId: archive.id, target: archive.target };
  const unavailable = !readiness.ready;
  ctx.store.audit.append({
    actor: ctx.actor,
    action: 'backup.verify',
    target: `archive:${archive.id}`,
    details: { ok: result.ok, mode: result.mode, ...(result.error ? { error: result.error } : {}) },
  });
  if (result.ok) {
    ctx.store.archives.recordVerify(archive.id, result.mode);
    if (result.mode === 'full' && archive.state !== 'failed')
      recordArchiveState(ctx, archive.id, 'validated');
    deps.events?.publish('backup.verified', {
      job: archive.job,
      archiveId: archive.id,
      target: archive.target,
      mode: result.mode,
    });
  } else if (!unavailable) {
    // An unreachable target says nothing about the archive; a failed check does.
    ctx.store.archives.recordVerify(archive.id, `failed: ${result.error}`);
    if (archive.state === 'completed' || archive.state === 'validated') {
      recordArchiveState(ctx, archive.id, 'failed', { error: result.error ?? 'verification failed' });
    }
    deps.events?.publish('backup.verify_failed', {
      job: archive.job,
      archiveId: archive.id,
      target: archive.target,
      error: result.error ?? 'verification failed',
    });
  }
  return full;
}

/** Verify one stored archive by id (used right after a run). */
export async function verifyArchive(
  ctx: CommandContext,
  opts: { ref: string },
  deps: BackupDeps = {},
): Promise<VerifyResult> {
  const [first] = await verifyArchives(ctx, { ref: opts.ref }, deps);
  if (!first) throw new StewardError('E_NOT_FOUND', `no archive ${opts.ref}`);
  return first;
}
