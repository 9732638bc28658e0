/** `<job>-<UTC yyyymmddThhmmssZ>-<id>.tar.gz.age`: sorts by time, names its job, unique by id. */
export const ARCHIVE_SUFFIX = '.tar.gz.age';
export const SIDECAR_SUFFIX = '.sha256';

export function archiveFileName(job: string, createdAt: Date, id: string): string {
  const stamp = createdAt
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  return `${job}-${stamp}-${id}${ARCHIVE_SUFFIX}`;
}

const NAME_RE = /^(?<job>.+)-(?<stamp>\d{8}T\d{6}Z)-(?<id>[0-9A-HJKMNP-TV-Z]{26})\.tar\.gz\.age$/;

export function parseArchiveFileName(name: string): { job: string; createdAt: Date; id: string } | null {
  const m = NAME_RE.exec(name);
  if (!m?.groups) return null;
  const s = m.groups.stamp as string;
  const iso = `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}Z`;
  return { job: m.groups.job as string, createdAt: new Date(iso), id: m.groups.id as string };
}

/** `sha256sum -c` reads this format, so a person can check an archive without Steward. */
export function sidecarContent(fileName: string, sha256: string): string {
  return `${sha256}  ${fileName}\n`;
}

export function parseSidecar(text: string): string | null {
  const m = /^([0-9a-f]{64})\s/.exec(text.trim().concat(' '));
  return m ? (m[1] as string) : null;
}

/** Archives are read in 1 MiB pieces: the 64 KiB default costs a syscall and a stream hop per 64 KiB. */
export const ARCHIVE_READ_CHUNK = 1 << 20;
