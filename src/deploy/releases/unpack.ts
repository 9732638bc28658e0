import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip, extractTar } from '../../backup/archive/index.js';
import { StewardError } from '../../core/errors.js';

const TARBALL_RE = /\.(tar|tar\.gz|tgz)$/i;

async function isGzip(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const { bytesRead, buffer } = await fh.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/**
 * Unpack a .tar/.tar.gz/.tgz into `dest` (created; must not exist) with the backup archive's
 * extractor, which refuses hostile entries (absolute paths, '..', links out of the tree, devices,
 * hard links). Compression is detected from the bytes, so a mislabelled .tar.gz still unpacks.
 */
export async function unpackTarball(file: string, dest: string): Promise<void> {
  if (!TARBALL_RE.test(file)) {
    throw new StewardError('E_USAGE', `cannot install a release from ${file}: not a directory or tarball`, {
      hint: 'pass a directory or a .tar, .tar.gz or .tgz file',
    });
  }
  const raw = createReadStream(file);
  let input: Readable = raw;
  if (await isGzip(file)) {
    const gunzip = createGunzip();
    // pipe() does not forward errors; a read error must still end the extraction.
    raw.on('error', (err) => gunzip.destroy(err));
    input = raw.pipe(gunzip);
  }
  try {
    await extractTar(input, dest);
  } finally {
    raw.destroy();
    input.destroy();
  }
}
