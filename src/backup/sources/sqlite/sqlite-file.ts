import { open } from 'node:fs/promises';
import { StewardError } from '../../../core/errors.js';

const header = Buffer.from('SQLite format 3\0', 'latin1');

/** Reads the 16-byte header: a clear error beats SQLite's "file is not a database" later on. */
export async function isSqliteFile(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(header.length);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return bytesRead === header.length && buffer.equals(header);
  } finally {
    await handle.close();
  }
}

/** Fails clearly unless `file` exists and is an SQLite database. */
export async function assertSqliteFile(file: string, what: string): Promise<void> {
  let ok: boolean;
  try {
    ok = await isSqliteFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new StewardError('E_NOT_FOUND', `${what}: ${file} does not exist`);
    throw new StewardError('E_EXTERNAL', `${what}: cannot read ${file} (${code ?? 'error'})`, { cause: err });
  }
  if (!ok) throw new StewardError('E_EXTERNAL', `${what}: ${file} is not an SQLite database`);
}

/**
 * Page size and journal mode from the header of a database file: no connection, so no lock and
 * nothing created beside it.
 */
export async function readHeader(
  file: string,
): Promise<{ pageSize: number; journalMode: 'wal' | 'rollback' }> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(20);
    await handle.read(buffer, 0, buffer.length, 0);
    const raw = buffer.readUInt16BE(16);
    return { pageSize: raw === 1 ? 65536 : raw, journalMode: buffer[18] === 2 ? 'wal' : 'rollback' };
  } finally {
    await handle.close();
  }
}
