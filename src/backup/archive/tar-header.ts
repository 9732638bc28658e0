import type { Header } from 'tar-stream';
import type { ArchiveEntry } from '../types.js';
import { assertArchivePath } from './paths.js';

/** An entry with its full path inside the archive (e.g. `sources/app-db/data/db.sqlite`). */
export type TarWriteEntry = ArchiveEntry & { archivePath: string };

/** What tar-stream's pack().entry() takes; `pax` records are written as given. */
export type PackHeaders = Partial<Omit<Header, 'pax'>> & { name: string; pax?: Record<string, string> };

/** Largest size the 11-digit octal ustar field holds (8 GiB - 1). */
export const USTAR_MAX_SIZE = 0o77777777777;
/** tar-stream writes uid/gid as 6 octal digits. */
const USTAR_MAX_ID = 0o777777;
/** tar-stream truncates mtime seconds to int32, so anything outside [0, 2^31) goes to pax. */
const MAX_MTIME_SECONDS = 2 ** 31 - 1;

const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

/**
 * The tar header for an entry. Whatever ustar cannot hold goes into a pax extended header:
 * long or non-ASCII names (tar-stream does that itself), sizes ≥ 8 GiB, uids/gids above
 * 262143, mtimes before 1970 or after 2038. Mtimes are whole seconds.
 */
export function tarHeader(entry: TarWriteEntry): PackHeaders {
  assertArchivePath(entry.archivePath);
  const pax: Record<string, string> = {};
  const perm = entry.mode & 0o7777;
  const uid = entry.uid ?? 0;
  const gid = entry.gid ?? 0;
  if (uid > USTAR_MAX_ID) pax.uid = String(uid);
  if (gid > USTAR_MAX_ID) pax.gid = String(gid);

  const seconds = Math.floor(entry.mtime.getTime() / 1000);
  if (!Number.isFinite(seconds)) throw new Error(`invalid mtime for ${entry.archivePath}`);
  let headerMtime = entry.mtime;
  if (seconds < 0 || seconds > MAX_MTIME_SECONDS) {
    pax.mtime = String(seconds);
    headerMtime = new Date(Math.min(Math.max(seconds, 0), MAX_MTIME_SECONDS) * 1000);
  }

  const header: PackHeaders = {
    name: entry.archivePath,
    uid: Math.min(uid, USTAR_MAX_ID),
    gid: Math.min(gid, USTAR_MAX_ID),
    mtime: headerMtime,
  };
  switch (entry.type) {
    case 'file':
      if (!Number.isSafeInteger(entry.size) || entry.size < 0) {
        throw new Error(`invalid size ${entry.size} for ${entry.archivePath}`);
      }
      // tar-stream replaces a falsy mode with 0o644; the file-type bits keep a 0o000 file 0o000
      // (only the permission bits are written).
      header.mode = S_IFREG | perm;
      header.type = 'file';
      header.size = entry.size;
      if (entry.size > USTAR_MAX_SIZE) pax.size = String(entry.size);
      break;
    case 'directory':
      header.name = `${entry.archivePath}/`;
      header.mode = S_IFDIR | perm;
      header.type = 'directory';
      header.size = 0;
      break;
    case 'symlink':
      if (!entry.linkname) throw new Error(`symlink without a target: ${entry.archivePath}`);
      header.mode = S_IFLNK | perm;
      header.type = 'symlink';
      header.linkname = entry.linkname;
      header.size = 0;
      break;
  }
  if (Object.keys(pax).length > 0) header.pax = pax;
  return header;
}
