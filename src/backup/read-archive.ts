import { createHash } from 'node:crypto';
import { type Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import tarStream from 'tar-stream';
import { StewardError } from '../core/errors.js';
import { createDecryptStream } from './age/index.js';
import { createGunzip } from './archive/index.js';
import { MANIFEST_NAME, type Manifest, type ManifestEntry, parseManifest } from './manifest.js';

export interface ArchiveCheck {
  sha256: string;
  size: number;
  /** Set when the contents were checked (with an identity). */
  manifest?: Manifest;
  files?: number;
  bytes?: number;
}

/** Counts and hashes the ciphertext as it passes. */
function cipherTap() {
  const hash = createHash('sha256');
  let size = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  return { stream, result: () => ({ sha256: hash.digest('hex'), size }) };
}

function integrity(message: string): StewardError {
  return new StewardError('E_INTEGRITY', message, {
    hint: 'the archive is damaged or was altered; use another copy (another target or an older archive)',
  });
}

function normalizeType(type: string | null | undefined): string {
  return type === 'contiguous-file' ? 'file' : (type ?? 'file');
}

/**
 * Reads a whole archive. Without identities only the ciphertext is hashed; with them every
 * entry is decrypted, decompressed and hashed, and checked against the manifest: each entry
 * listed with the same type, size and SHA-256, every listed entry present, the manifest last.
 */
export async function checkArchiveStream(
  input: Readable,
  identities: string[] | null,
): Promise<ArchiveCheck> {
  const tap = cipherTap();
  if (!identities) {
    await pipeline(
      input,
      tap.stream,
      new Writable({
        write(_c, _e, cb) {
          cb();
        },
      }),
    );
    return tap.result();
  }

  const seen = new Map<string, ManifestEntry>();
  let manifestBuf: Buffer | null = null;
  let afterManifest: string | null = null;
  const extract = tarStream.extract();
  const consume = (async () => {
    for await (const entry of extract) {
      const h = entry.header;
      const name = h.name;
      const type = normalizeType(h.type);
      if (manifestBuf !== null && afterManifest === null) afterManifest = name;
      if (name === MANIFEST_NAME) {
        const chunks: Buffer[] = [];
        for await (const c of entry) chunks.push(c as Buffer);
        manifestBuf = Buffer.concat(chunks);
        continue;
      }
      const hash = createHash('sha256');
      let size = 0;
      for await (const c of entry) {
        hash.update(c as Buffer);
        size += (c as Buffer).length;
      }
      if (seen.has(name)) throw integrity(`entry ${name} appears twice in the archive`);
      seen.set(name, {
        path: name.replace(/\/$/, ''),
        type: type as ManifestEntry['type'],
        size,
        ...(type === 'file' ? { sha256: hash.digest('hex') } : {}),
        ...(h.linkname ? { linkname: h.linkname } : {}),
      });
    }
  })();
  await Promise.all([
    pipeline(input, tap.stream, createDecryptStream(identities), createGunzip(), extract),
    consume,
  ]);

  if (manifestBuf === null) throw integrity(`the archive has no ${MANIFEST_NAME}`);
  if (afterManifest !== null)
    throw integrity(`entry ${afterManifest} follows ${MANIFEST_NAME}, which must be last`);
  let manifest: Manifest;
  try {
    manifest = parseManifest(manifestBuf);
  } catch (err) {
    throw integrity((err as Error).message);
  }
  const listed = new Map(manifest.entries.map((e) => [e.path, e]));
  let files = 0;
  let bytes = 0;
  for (const [name, got] of seen) {
    const want = listed.get(got.path);
    if (!want) throw integrity(`entry ${name} is not in the manifest`);
    if (want.type !== got.type)
      throw integrity(`entry ${name} is a ${got.type}, the manifest says ${want.type}`);
    if (got.type === 'file') {
      if (want.size !== got.size)
        throw integrity(`file ${name} has ${got.size} bytes, the manifest says ${want.size}`);
      if (want.sha256 !== got.sha256)
        throw integrity(`file ${name} does not match its SHA-256 in the manifest`);
      files += 1;
      bytes += got.size;
    }
    if (got.type === 'symlink' && want.linkname !== got.linkname) {
      throw integrity(`symlink ${name} points to ${got.linkname}, the manifest says ${want.linkname}`);
    }
    listed.delete(got.path);
  }
  const missing = [...listed.keys()];
  if (missing.length > 0) {
    throw integrity(
      `${missing.length} entries of the manifest are missing from the archive, first: ${missing[0]}`,
    );
  }
  return { ...tap.result(), manifest, files, bytes };
}
