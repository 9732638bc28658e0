import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import type { BatchSink, IncomingMessage } from './types.js';

/**
 * Helpers for the ingest tests and their child-process fixture (not used at run time): a real
 * SQLite sink the way Steward commits (one transaction per batch), and a sequence publisher.
 * Payloads are `<seq>`; seq is UNIQUE so a redelivery is counted, not stored twice.
 */
export interface SeqDb {
  sink: BatchSink;
  /** Rows stored (distinct seqs). */
  count(): number;
  /** Messages offered in committed batches (rows + ignored duplicates). */
  offered(): number;
  /** Committed messages that carried the broker's DUP flag. */
  dupFlagged(): number;
  /** Seqs of a topic in commit order. */
  seqs(topic?: string): number[];
  close(): void;
}

export function openSeqDb(file: string): SeqDb {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(`
    CREATE TABLE IF NOT EXISTS messages (seq INTEGER NOT NULL UNIQUE, topic TEXT NOT NULL, payload BLOB NOT NULL) STRICT;
    CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL) STRICT;
    INSERT OR IGNORE INTO counters (name, n) VALUES ('offered', 0), ('dup_flagged', 0);
  `);
  const insert = db.prepare('INSERT OR IGNORE INTO messages (seq, topic, payload) VALUES (?, ?, ?)');
  const bump = db.prepare('UPDATE counters SET n = n + ? WHERE name = ?');
  const commit = db.transaction((batch: IncomingMessage[]) => {
    let dups = 0;
    for (const m of batch) {
      insert.run(Number(m.payload.toString()), m.topic, m.payload);
      if (m.dup) dups++;
    }
    bump.run(batch.length, 'offered');
    bump.run(dups, 'dup_flagged');
  });
  const counter = db.prepare<[string], { n: number }>('SELECT n FROM counters WHERE name = ?');
  const read = (name: string) => counter.get(name)?.n ?? 0;
  return {
    sink: (batch) => commit(batch),
    count: () => (db.prepare('SELECT count(*) AS n FROM messages').get() as { n: number }).n,
    offered: () => read('offered'),
    dupFlagged: () => read('dup_flagged'),
    seqs: (topic) =>
      (topic === undefined
        ? (db.prepare('SELECT seq FROM messages ORDER BY rowid').all() as Array<{ seq: number }>)
        : (db.prepare('SELECT seq FROM messages WHERE topic = ? ORDER BY rowid').all(topic) as Array<{
            seq: number;
          }>)
      ).map((r) => r.seq),
    close: () => db.close(),
  };
}

/** Publishes `<seq>` for seq in [from, to] at QoS 1, `window` unacknowledged at a time, in order. */
export async function publishSeq(opts: {
  url: string;
  topic: string | ((seq: number) => string);
  from: number;
  to: number;
  qos?: 0 | 1;
  window?: number;
}): Promise<void> {
  // 3.1.1: Mosquitto then does not hold the publisher to its Receive Maximum of 20.
  const pub = await mqtt.connectAsync(opts.url, { protocolVersion: 4, clean: true, reconnectPeriod: 0 });
  try {
    const window = opts.window ?? 500;
    const topicOf = typeof opts.topic === 'string' ? () => opts.topic as string : opts.topic;
    const outstanding = new Set<Promise<unknown>>();
    for (let seq = opts.from; seq <= opts.to; seq++) {
      const p = pub.publishAsync(topicOf(seq), String(seq), { qos: opts.qos ?? 1 });
      outstanding.add(p);
      const settle = () => outstanding.delete(p);
      p.then(settle, settle);
      if (outstanding.size >= window) await Promise.race(outstanding);
    }
    await Promise.all(outstanding);
  } finally {
    await pub.endAsync();
  }
}

/** Polls `cond` until true; throws after `timeoutMs` (a hang guard, not a timing assertion). */
export async function waitFor(what: string, cond: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
