import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gzipSync } from 'node:zlib';
import { createEncryptStream } from '../../src/backup/age/index.js';
import { type RawEntry, rawTar } from '../../src/backup/archive/tar-fixtures.js';
import { keygen } from '../../src/backup/keygen.js';
import { MANIFEST_FORMAT, MANIFEST_NAME, type Manifest } from '../../src/backup/manifest.js';
import { loadConfig } from '../../src/config/load.js';
import { systemClock } from '../../src/core/clock.js';
import type { CommandContext } from '../../src/core/context.js';
import { EventBus, type EventMap, type EventName } from '../../src/core/events.js';
import { silentLogger } from '../../src/core/logger.js';
import { openStore, type Store } from '../../src/store/index.js';
import '../../src/backup/events.js';

/**
 * In-process fixtures for the backup capability: a "box" (a directory with a steward.yaml, a
 * data dir and a store) whose CommandContext calls runBackup & co. directly, plus builders
 * for hand-made (hostile) archives and a SQLite writer that keeps committing in a child process.
 */

export interface BackupKey {
  /** The identity file (age-keygen format, 0600). */
  file: string;
  recipient: string;
}

export function makeKey(file: string): BackupKey {
  const { recipient } = keygen({ out: file, clock: systemClock });
  return { file, recipient };
}

export interface BackupBox {
  dir: string;
  configFile: string;
  store: Store;
  ctx: CommandContext;
  /** The same box (store, data dir) under another `backups:` section, e.g. with a target made unusable. */
  withBackups(backups: unknown, label?: string): CommandContext;
  close(): void;
}

function writeBoxConfig(dir: string, fileName: string, backups: unknown): string {
  const file = path.join(dir, fileName);
  // JSON is YAML: no quoting surprises in remotes, URLs or paths.
  fs.writeFileSync(
    file,
    `version: 1\nname: backup-e2e\ndata_dir: ./data\nbackups: ${JSON.stringify(backups, null, 1)}\n`,
  );
  return file;
}

/** A box in `dir` (created if missing) with the given `backups:` section. */
export function createBackupBox(dir: string, backups: unknown): BackupBox {
  fs.mkdirSync(dir, { recursive: true });
  const configFile = writeBoxConfig(dir, 'steward.yaml', backups);
  const config = loadConfig({ file: configFile });
  fs.mkdirSync(config.data_dir, { recursive: true });
  const store = openStore({ file: path.join(config.data_dir, 'steward.db') });
  const base = { store, actor: 'test:backup-failures', clock: systemClock, logger: silentLogger() };
  return {
    dir,
    configFile,
    store,
    ctx: { ...base, config },
    withBackups(other, label = 'alt') {
      const file = writeBoxConfig(dir, `steward-${label}.yaml`, other);
      return { ...base, config: loadConfig({ file }) };
    },
    close: () => store.close(),
  };
}

export interface RecordedEvent {
  event: EventName;
  payload: Record<string, unknown>;
}

/** A bus that remembers what was published on the given events, in order. */
export function recordingBus(names: readonly EventName[]): { bus: EventBus; events: RecordedEvent[] } {
  const bus = new EventBus();
  const events: RecordedEvent[] = [];
  const record = <E extends EventName>(event: E) =>
    bus.subscribe(event, (payload: EventMap[E]) => {
      events.push({ event, payload: payload as unknown as Record<string, unknown> });
    });
  for (const event of names) record(event);
  return { bus, events };
}

export { type RawEntry, rawTar } from '../../src/backup/archive/tar-fixtures.js';

/** A manifest that matches `entries` (files, directories, symlinks), as a real run writes it. */
export function manifestFor(entries: readonly RawEntry[], job = 'hostile'): RawEntry {
  const listed: Manifest['entries'] = [];
  for (const e of entries) {
    const p = e.name.replace(/\/$/, '');
    if (e.type === 'directory') listed.push({ path: p, type: 'directory', size: 0 });
    else if (e.type === 'symlink')
      listed.push({ path: p, type: 'symlink', size: 0, linkname: e.linkname ?? '' });
    else if (e.type === undefined || e.type === 'file') {
      const content = Buffer.from(e.content ?? '');
      listed.push({
        path: p,
        type: 'file',
        size: content.length,
        sha256: createHash('sha256').update(content).digest('hex'),
      });
    }
  }
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    job,
    run_id: '01JD2ZZZZZZZZZZZZZZZZZZZZZ',
    host: 'attacker',
    steward_version: '0.1.0',
    created_at: new Date().toISOString(),
    compression: 'gzip -1 (members)',
    sources: [{ name: 'app', type: 'path', bytes: 0, files: 0, duration_ms: 0, warnings: [] }],
    entries: listed,
  };
  return { name: MANIFEST_NAME, mode: 0o600, content: Buffer.from(JSON.stringify(manifest)) };
}

/**
 * tar-stream pack → gzip → age (Steward's encryptor) to `recipients`: what anyone holding the
 * public key can produce, so restore must treat it as untrusted. The manifest goes last.
 */
export async function writeCraftedArchive(
  file: string,
  entries: readonly RawEntry[],
  recipients: readonly string[],
): Promise<void> {
  const gz = gzipSync(await rawTar([...entries, manifestFor(entries)]));
  await pipeline(
    Readable.from([gz]),
    createEncryptStream(recipients),
    fs.createWriteStream(file, { mode: 0o600 }),
  );
}

export interface TreeEntry {
  path: string;
  kind: 'file' | 'directory' | 'symlink' | 'other';
  /** Symlink target, for symlinks. */
  link?: string;
  nlink: number;
}

/** Every entry under `dir` (not following symlinks), sorted. */
export function listTree(dir: string): TreeEntry[] {
  const out: TreeEntry[] = [];
  const walk = (rel: string) => {
    const abs = path.join(dir, rel);
    if (!fs.existsSync(abs) && rel === '') return;
    for (const name of fs.readdirSync(abs).sort()) {
      const p = rel ? `${rel}/${name}` : name;
      const st = fs.lstatSync(path.join(dir, p));
      const kind = st.isSymbolicLink()
        ? 'symlink'
        : st.isDirectory()
          ? 'directory'
          : st.isFile()
            ? 'file'
            : 'other';
      out.push({
        path: p,
        kind,
        nlink: st.nlink,
        ...(kind === 'symlink' ? { link: fs.readlinkSync(path.join(dir, p)) } : {}),
      });
      if (kind === 'directory') walk(p);
    }
  };
  walk('');
  return out;
}

/** `age -d -i key FILE | tar -xz -C dir` with the Debian binaries: no Steward code involved. */
export function stockDecryptExtract(keyFile: string, archive: string, dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('sh', ['-c', 'set -e; age -d -i "$1" "$2" | tar -xz -C "$3"', 'sh', keyFile, archive, dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

const writerScript = `'use strict';
const Database = require(process.argv[2]);
const db = new Database(process.argv[3]);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)');
db.exec('CREATE TABLE seq (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)');
// Some bulk, so the online copy has work to do while the writer keeps committing.
const fill = db.prepare('INSERT INTO filler (payload) VALUES (randomblob(2048))');
db.transaction(() => { for (let i = 0; i < 2000; i++) fill.run(); })();
// Autocommit: every INSERT is its own transaction, ids 1, 2, 3 …
const insert = db.prepare('INSERT INTO seq (id, payload) VALUES (?, randomblob(200))');
let n = 0;
let stopping = false;
let announced = false;
process.on('SIGTERM', () => { stopping = true; });
function batch() {
  for (let j = 0; j < 5 && !stopping; j++) insert.run(++n);
  if (!announced && n >= 100) { announced = true; process.stdout.write('ready\\n'); }
  if (stopping) {
    db.close();
    process.stdout.write('done ' + n + '\\n', () => process.exit(0));
    return;
  }
  setImmediate(batch);
}
batch();
`;

export interface SqliteWriter {
  /** Stops the writer and returns how many rows it committed. */
  stop(): Promise<number>;
}

/**
 * A child process (better-sqlite3, WAL) that creates `db` and then commits one row per
 * transaction into `seq` (ids 1..n) until stopped. Resolves once it has committed 100 rows.
 */
export async function startSqliteWriter(db: string): Promise<SqliteWriter> {
  const script = path.join(path.dirname(db), 'sqlite-writer.cjs');
  fs.writeFileSync(script, writerScript);
  const betterSqlite = createRequire(import.meta.url).resolve('better-sqlite3');
  const child: ChildProcess = spawn(process.execPath, [script, betterSqlite, db], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of waiters) w();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = (re: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const m = re.exec(out);
        if (m) {
          waiters.delete(check);
          resolve(m);
        }
      };
      waiters.add(check);
      // Output may still be in the pipe when 'exit' fires; look once more after it closes.
      child.stdout?.once('close', () => {
        check();
        if (waiters.has(check)) reject(new Error(`sqlite writer ended without ${re}: ${out}${err}`));
      });
      check();
    });
  await waitFor(/^ready$/m);
  return {
    async stop() {
      const done = waitFor(/^done (\d+)$/m);
      child.kill('SIGTERM');
      const m = await done;
      await exited;
      return Number(m[1]);
    },
  };
}
