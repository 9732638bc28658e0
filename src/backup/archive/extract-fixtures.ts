import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { TarWriteEntry } from './tar-header.js';

export { type RawEntry, rawTar, stewardTar } from './tar-fixtures.js';

const base = mkdtempSync(join(tmpdir(), 'steward-extract-'));
let n = 0;

/** A case directory: `dest` to extract into and an `outside` sibling that must stay empty. */
export function caseDir() {
  const root = join(base, `case-${++n}`);
  const outside = join(root, 'outside');
  mkdirSync(outside, { recursive: true });
  return { root, dest: join(root, 'dest'), outside };
}

/** Absolute paths a hostile archive aims at; none may exist after any test. */
const canaries: string[] = [];
export const canary = () => {
  const p = join(tmpdir(), `steward-canary-${process.pid}-${canaries.length}`);
  canaries.push(p);
  return p;
};
/** After each test: no canary exists (the archive wrote nothing outside its destination). */
export function assertNoCanaries(): void {
  for (const p of canaries)
    if (existsSync(p)) throw new Error(`${p} exists: an entry escaped the destination`);
}

export function removeCaseDirs(): void {
  rmSync(base, { recursive: true, force: true });
}

export const fileEntry = (
  archivePath: string,
  content: string,
  mode = 0o644,
  mtime = new Date('2024-02-03T04:05:06Z'),
) =>
  ({
    archivePath,
    path: archivePath,
    type: 'file',
    mode,
    mtime,
    size: Buffer.byteLength(content),
    open: () => Readable.from([Buffer.from(content)]),
  }) satisfies TarWriteEntry;
export const dirEntry = (archivePath: string, mode = 0o755, mtime = new Date('2023-01-01T00:00:00Z')) =>
  ({ archivePath, path: archivePath, type: 'directory', mode, mtime, size: 0 }) satisfies TarWriteEntry;
export const linkEntry = (archivePath: string, linkname: string) =>
  ({
    archivePath,
    path: archivePath,
    type: 'symlink',
    mode: 0o777,
    mtime: new Date('2022-01-01T00:00:00Z'),
    size: 0,
    linkname,
  }) satisfies TarWriteEntry;

export const tree = (dir: string): string[] => {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const p = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(dir, p));
      out.push(
        st.isSymbolicLink() ? `${p} -> ${readlinkSync(join(dir, p))}` : st.isDirectory() ? `${p}/` : p,
      );
      if (st.isDirectory()) walk(p);
    }
  };
  walk('');
  return out;
};

export const sample = (): TarWriteEntry[] => [
  dirEntry('sources'),
  dirEntry('sources/app', 0o750, new Date('2020-06-07T08:09:10Z')),
  fileEntry('sources/app/config.yaml', 'a: 1\n', 0o600, new Date('2021-03-04T05:06:07Z')),
  fileEntry('sources/app/run.sh', '#!/bin/sh\n', 0o755),
  dirEntry('sources/app/ro', 0o555),
  fileEntry('sources/app/ro/inside.txt', 'read-only dir\n', 0o444),
  linkEntry('sources/app/current', 'config.yaml'),
  linkEntry('sources/app/ro/up', '../run.sh'),
  fileEntry(`sources/app/${'l'.repeat(150)}/${'m'.repeat(150)}.txt`, 'long\n'),
  fileEntry('sources/app/ünï/日本.txt', 'utf8\n'),
  dirEntry('sources/db'),
  fileEntry('sources/db/dump.sql', 'select 1;\n'),
  fileEntry('steward-manifest.json', '{}'),
];
