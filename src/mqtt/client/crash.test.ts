import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMosquitto, type TestMosquitto } from '../../../test/support/mosquitto.js';
import { openSeqDb, publishSeq, waitFor } from './test-support.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const fixture = path.join(here, 'crash-fixture.ts');

let broker: TestMosquitto;
let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stw-ingest-crash-'));
  broker = await startMosquitto('allow_anonymous true\nmax_queued_messages 100000\n');
}, 30_000);

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

afterAll(async () => {
  await broker?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function report(line: string): void {
  process.stderr.write(`[mqtt ingest] ${line}\n`);
}

interface Fixture {
  child: ChildProcess;
  /** Latest `received`/`committed` counts the child reported. */
  state: { ready: boolean; received: number; committed: number };
  exited: Promise<void>;
}

function spawnFixture(name: string, mode: 'normal' | 'block' = 'normal'): Fixture {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    cwd: repoRoot,
    env: {
      ...process.env,
      STW_URL: broker.url,
      STW_DB: path.join(dir, `${name}.db`),
      STW_CLIENT_ID: `stw-${name}`,
      STW_TOPIC: `${name}/#`,
      STW_MODE: mode,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const state = { ready: false, received: 0, committed: 0 };
  let buf = '';
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop() ?? '';
    for (const line of lines) {
      const [key, value] = line.split(' ');
      if (key === 'ready') state.ready = true;
      else if (key === 'received') state.received = Number(value);
      else if (key === 'committed') state.committed = Number(value);
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, state, exited };
}

async function kill(f: Fixture): Promise<void> {
  f.child.kill('SIGKILL');
  await f.exited;
}

function dbCount(name: string): number {
  const file = path.join(dir, `${name}.db`);
  if (!fs.existsSync(file)) return 0;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n;
  } catch {
    return 0; // the child has not created the table yet
  } finally {
    db.close();
  }
}

describe('mqtt ingest client in a process that dies', () => {
  it('acks nothing it has not committed: killed with 300 messages in memory, the next run gets all 300', async () => {
    const blocked = spawnFixture('held', 'block');
    await waitFor('the fixture to connect', () => blocked.state.ready, 30_000);
    await publishSeq({ url: broker.url, topic: 'held/x', from: 1, to: 300 });
    await waitFor('300 messages in the blocked child', () => blocked.state.received === 300);
    await kill(blocked);
    const next = spawnFixture('held');
    await waitFor('all 300 committed by the next run', () => dbCount('held') === 300, 30_000);
    next.child.kill('SIGTERM');
    await next.exited;
    const db = openSeqDb(path.join(dir, 'held.db'));
    expect(db.seqs().sort((a, b) => a - b)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    db.close();
  }, 60_000);

  it('survives two SIGKILLs mid-stream: every seq of 5000 stored exactly once (redeliveries reported)', async () => {
    const n = 5000;
    let fixture = spawnFixture('crash');
    await waitFor('the fixture to connect', () => fixture.state.ready, 30_000);
    const t0 = performance.now();
    // Paced (100 every ~20 ms) so that both kills land while messages are still being published.
    let published = 0;
    const publishing = (async () => {
      for (let from = 1; from <= n; from += 100) {
        await publishSeq({ url: broker.url, topic: 'crash/x', from, to: from + 99 });
        published = from + 99;
        await new Promise((r) => setTimeout(r, 20));
      }
      return performance.now();
    })();
    const kills: string[] = [];
    // Not multiples of the publisher's chunks: the child is then mid-batch, not idle.
    for (const at of [1111, 2777]) {
      await waitFor(`${at} committed before a kill`, () => dbCount('crash') >= at, 30_000);
      await kill(fixture);
      kills.push(`at ${dbCount('crash')} stored, ${published} published`);
      fixture = spawnFixture('crash');
    }
    const publishedAt = await publishing;
    await waitFor(`all ${n} stored`, () => dbCount('crash') === n, 60_000);
    const seconds = (performance.now() - t0) / 1000;
    fixture.child.kill('SIGTERM');
    await fixture.exited;

    const db = openSeqDb(path.join(dir, 'crash.db'));
    try {
      expect(db.count()).toBe(n);
      expect(db.seqs().sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      const redelivered = db.offered() - n;
      expect(redelivered).toBeGreaterThanOrEqual(0);
      report(`SIGKILL ${kills.join('; ')}`);
      report(
        `${n} QoS 1 messages stored exactly once across 2 kills: publisher (paced) done after ${((publishedAt - t0) / 1000).toFixed(2)} s, all stored after ${seconds.toFixed(2)} s; redelivered and ignored as duplicates: ${redelivered} (${db.dupFlagged()} deliveries had DUP set)`,
      );
    } finally {
      db.close();
    }
  }, 120_000);
});
