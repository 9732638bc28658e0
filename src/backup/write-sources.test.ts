import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import type { TarWriter } from './archive/index.js';
import type { BackupJobConfig } from './config-schema.js';
import { sourceConfigSchema } from './sources/index.js';
import type { SourceSnapshot } from './types.js';
import { writeSources } from './write-sources.js';

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-write-sources-'));
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

function job(sources: unknown[]): BackupJobConfig {
  const schema = sourceConfigSchema({ baseDir: base });
  // Only `sources` and `compression_level` are read by writeSources.
  return { sources: sources.map((s) => schema.parse(s)), compression_level: 1 } as unknown as BackupJobConfig;
}

/** A tar writer that records what it is given and fails on the entry named `failOn`. */
function recordingTar(failOn?: string): TarWriter & { added: string[] } {
  const added: string[] = [];
  return {
    added,
    stream: null as never,
    async add(entry, onData) {
      if (entry.archivePath === failOn) throw new Error(`cannot write ${failOn}`);
      added.push(entry.archivePath);
      if (entry.type === 'file' && entry.open)
        for await (const chunk of entry.open()) onData?.(chunk as Buffer);
    },
    async addBuffer(archivePath) {
      added.push(archivePath);
    },
    async finish() {},
  };
}

describe('writeSources', () => {
  const db = path.join(base, 'app.db');
  const files = path.join(base, 'files');
  fs.mkdirSync(files);
  fs.writeFileSync(path.join(files, 'a.txt'), 'alpha\n');
  const sqlite = new Database(db);
  sqlite.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1), (2);');
  sqlite.close();

  function input(tar: TarWriter, scratch: string) {
    fs.mkdirSync(scratch);
    return {
      tar,
      jobName: 'j',
      job: job([
        { type: 'path', name: 'files', path: files },
        { type: 'sqlite', name: 'db', path: db },
      ]),
      runId: 'r1',
      startedAt: new Date(),
      scratch,
      signal: new AbortController().signal,
      log: silentLogger(),
      warnings: [] as string[],
      open: [] as SourceSnapshot[],
    };
  }

  it('writes every source in order, then the manifest last', async () => {
    const tar = recordingTar();
    const scratch = path.join(base, 'scratch-ok');
    const written = await writeSources(input(tar, scratch));
    expect(tar.added).toEqual([
      'sources/files',
      'sources/files/a.txt',
      'sources/db',
      'sources/db/app.db',
      'steward-manifest.json',
    ]);
    expect(written.files).toBe(2);
    // The copy taken ahead was cleaned up after it was written.
    expect(fs.readdirSync(path.join(scratch, 'db'))).toEqual([]);
  });

  it('a failure in one source cleans up the copy already taken ahead for the next', async () => {
    const tar = recordingTar('sources/files/a.txt');
    const scratch = path.join(base, 'scratch-fail');
    const args = input(tar, scratch);
    await expect(writeSources(args)).rejects.toThrow('cannot write sources/files/a.txt');
    // Long enough for a copy nobody waited for to land in scratch (it takes ~50 ms here).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // The SQLite copy was started while `files` was being written; none of it is left.
    expect(fs.existsSync(path.join(scratch, 'db'))).toBe(true);
    expect(fs.readdirSync(path.join(scratch, 'db'))).toEqual([]);
    // The failed source's own snapshot is the caller's to clean up, and is handed over.
    expect(args.open).toHaveLength(1);
  });
});
