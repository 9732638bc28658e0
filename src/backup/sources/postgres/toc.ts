/** What `pg_restore --list` says about a custom-format dump. */
export interface DumpToc {
  database?: string;
  serverVersion?: string;
  pgDumpVersion?: string;
  entries: number;
  /** TABLE DATA entries: tables whose rows are in the dump. */
  tablesWithData: number;
}

export function parseToc(listing: string): DumpToc {
  const header = (label: string) => new RegExp(`^;\\s+${label}:\\s*(.+)$`, 'm').exec(listing)?.[1]?.trim();
  const lines = listing.split('\n').filter((l) => /^\d+;/.test(l));
  return {
    database: header('dbname'),
    serverVersion: header('Dumped from database version'),
    pgDumpVersion: header('Dumped by pg_dump version'),
    entries: lines.length,
    tablesWithData: lines.filter((l) => / TABLE DATA /.test(l)).length,
  };
}
