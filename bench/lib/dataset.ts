import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { mulberry32 } from '../../src/core/seeded-random.js';

/**
 * The benchmark's dataset: one third random bytes, one third log lines, one third an SQLite
 * database, laid out as
 *
 *   <dir>/files/random/blob-N.bin   incompressible
 *   <dir>/files/logs/app-N.log      compressible text
 *   <dir>/db/app.db                 SQLite, mixed text and numbers
 */
export interface Dataset {
  dir: string;
  /** The random and text files (one `path` source). */
  filesDir: string;
  /** The database (one `sqlite` source). */
  dbFile: string;
  /** Bytes of every regular file. */
  bytes: number;
  files: number;
  parts: { random: number; text: number; sqlite: number };
  generateSeconds: number;
}

const RANDOM_FILES = 4;
const LOG_FILES = 4;
const WRITE_CHUNK = 1 << 20;

function picker(rand: () => number) {
  return {
    int: (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1)),
    of: <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T,
    hex: (n: number) => {
      let s = '';
      while (s.length < n)
        s += Math.floor(rand() * 0x100000000)
          .toString(16)
          .padStart(8, '0');
      return s.slice(0, n);
    },
  };
}

function writeRandomFiles(dir: string, total: number): number {
  fs.mkdirSync(dir, { recursive: true });
  let written = 0;
  for (let i = 0; i < RANDOM_FILES; i++) {
    const want = Math.floor(total / RANDOM_FILES) + (i === 0 ? total % RANDOM_FILES : 0);
    const fd = fs.openSync(path.join(dir, `blob-${i + 1}.bin`), 'w');
    try {
      for (let done = 0; done < want; ) {
        const n = Math.min(WRITE_CHUNK, want - done);
        fs.writeSync(fd, randomBytes(n));
        done += n;
      }
    } finally {
      fs.closeSync(fd);
    }
    written += want;
  }
  return written;
}

const LEVELS = ['INFO', 'INFO', 'INFO', 'INFO', 'DEBUG', 'DEBUG', 'WARN', 'ERROR'] as const;
const SERVICES = ['api', 'worker', 'scheduler', 'auth', 'db-pool', 'cache', 'mailer'] as const;
const METHODS = ['GET', 'GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'] as const;
const ROUTES = [
  '/api/v1/items',
  '/api/v1/users',
  '/api/v1/orders',
  '/api/v1/orders/search',
  '/healthz',
  '/static/app.js',
  '/login',
  '/api/v1/reports/daily',
] as const;
const STATUSES = [200, 200, 200, 200, 200, 201, 204, 301, 304, 400, 401, 404, 500, 503] as const;
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'anonymous'] as const;
const JOBS = ['send-digest', 'resize-image', 'sync-inventory', 'rotate-keys', 'export-csv'] as const;
const AGENTS = [
  'Mozilla/5.0 (X11; Linux x86_64) Firefox/132.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) Safari/605.1.15',
  'curl/8.5.0',
  'Prometheus/2.53.0',
  'okhttp/4.12.0',
] as const;

/** Realistic application log lines: timestamps, levels, services, request fields, ids. */
function logLines(seed: number) {
  const rand = mulberry32(seed);
  const p = picker(rand);
  let clock = Date.UTC(2026, 10, 1, 0, 0, 0);
  return (): string => {
    clock += p.int(0, 250);
    const ts = new Date(clock).toISOString();
    const level = p.of(LEVELS);
    const kind = rand();
    if (kind < 0.6) {
      const status = p.of(STATUSES);
      return `${ts} ${level.padEnd(5)} [${p.of(SERVICES)}] ${p.of(METHODS)} ${p.of(ROUTES)}/${p.int(1, 99999)} status=${status} duration_ms=${(rand() * 900).toFixed(1)} bytes=${p.int(0, 250000)} user=${p.of(USERS)} ip=10.${p.int(0, 255)}.${p.int(0, 255)}.${p.int(1, 254)} req_id=${p.hex(16)} ua="${p.of(AGENTS)}"\n`;
    }
    if (kind < 0.85) {
      return `${ts} ${level.padEnd(5)} [worker] job=${p.of(JOBS)} id=${p.int(100000, 999999)} attempt=${p.int(1, 5)} queue=${p.of(['default', 'low', 'critical'])} took=${p.int(1, 60000)}ms\n`;
    }
    if (kind < 0.95) {
      return `${ts} WARN  [db-pool] slow query ${p.int(200, 9000)}ms conn=${p.int(1, 32)} sql="SELECT id, name, total FROM orders WHERE customer_id = ${p.int(1, 500000)} AND created_at > now() - interval '${p.int(1, 90)} days'"\n`;
    }
    return `${ts} ERROR [${p.of(SERVICES)}] request ${p.hex(16)} failed: upstream timeout after ${p.int(1000, 30000)}ms (retry ${p.int(1, 3)}/3, circuit=${p.of(['closed', 'half-open', 'open'])})\n`;
  };
}

function writeLogFiles(dir: string, total: number): number {
  fs.mkdirSync(dir, { recursive: true });
  let written = 0;
  for (let i = 0; i < LOG_FILES; i++) {
    const want = Math.floor(total / LOG_FILES);
    const next = logLines(1000 + i);
    const fd = fs.openSync(path.join(dir, `app-${i + 1}.log`), 'w');
    try {
      let done = 0;
      while (done < want) {
        let batch = '';
        while (batch.length < WRITE_CHUNK) batch += next();
        const buf = Buffer.from(batch, 'latin1');
        const n = Math.min(buf.length, want - done);
        fs.writeSync(fd, buf, 0, n);
        done += n;
      }
      written += done;
    } finally {
      fs.closeSync(fd);
    }
  }
  return written;
}

const WORDS = [
  'sensor',
  'reading',
  'calibrated',
  'north',
  'south',
  'boiler',
  'pump',
  'valve',
  'pressure',
  'nominal',
  'drift',
  'maintenance',
  'scheduled',
  'offline',
  'restored',
  'threshold',
  'exceeded',
  'battery',
  'low',
  'firmware',
  'updated',
  'gateway',
  'retry',
  'ok',
] as const;

/** Rows of mixed text and numbers until the database file reaches `total` bytes. */
function writeDatabase(file: string, total: number): number {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.exec(`CREATE TABLE readings (
      id INTEGER PRIMARY KEY,
      ts INTEGER NOT NULL,
      site TEXT NOT NULL,
      sensor TEXT NOT NULL,
      value REAL NOT NULL,
      count INTEGER NOT NULL,
      status TEXT NOT NULL,
      note TEXT,
      ref TEXT
    );
    CREATE INDEX readings_site_ts ON readings (site, ts);`);
    const insert = db.prepare(
      'INSERT INTO readings (ts, site, sensor, value, count, status, note, ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const rand = mulberry32(7);
    const p = picker(rand);
    let ts = Date.UTC(2026, 0, 1) / 1000;
    const batch = db.transaction((rows: number) => {
      for (let i = 0; i < rows; i++) {
        ts += p.int(0, 5);
        const words = p.int(3, 14);
        let note = '';
        for (let w = 0; w < words; w++) note += `${w ? ' ' : ''}${p.of(WORDS)}`;
        insert.run(
          ts,
          `site-${p.int(1, 40)}`,
          `${p.of(['temp', 'humidity', 'flow', 'pressure', 'power'])}-${p.int(1, 200)}`,
          rand() * 1000 - 200,
          p.int(0, 1_000_000),
          p.of(['ok', 'ok', 'ok', 'warn', 'fault']),
          note,
          rand() < 0.5 ? p.hex(32) : null,
        );
      }
    });
    const size = () =>
      (db.pragma('page_count', { simple: true }) as number) *
      (db.pragma('page_size', { simple: true }) as number);
    while (size() < total) batch(5_000);
  } finally {
    db.close();
  }
  return fs.statSync(file).size;
}

export function generateDataset(dir: string, totalBytes: number): Dataset {
  const started = process.hrtime.bigint();
  const third = Math.floor(totalBytes / 3);
  const filesDir = path.join(dir, 'files');
  const dbFile = path.join(dir, 'db', 'app.db');
  const random = writeRandomFiles(path.join(filesDir, 'random'), third);
  const text = writeLogFiles(path.join(filesDir, 'logs'), third);
  const sqlite = writeDatabase(dbFile, totalBytes - random - text);
  return {
    dir,
    filesDir,
    dbFile,
    bytes: random + text + sqlite,
    files: RANDOM_FILES + LOG_FILES + 1,
    parts: { random, text, sqlite },
    generateSeconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}

/** Sum of the sizes of regular files under `dir`, and their count (symlinks are not followed). */
export function treeBytes(
  dir: string,
  skip: (name: string) => boolean = () => false,
): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && !skip(e.name)) {
        bytes += fs.statSync(p).size;
        files++;
      }
    }
  };
  walk(dir);
  return { bytes, files };
}
