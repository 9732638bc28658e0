import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { followLogs, readLogs } from './log-reader.js';
import { LogWriter } from './log-writer.js';

const root = mkdtempSync(join(tmpdir(), 'steward-logreader-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of it) out.push(line);
  return out;
}

async function waitFor(cond: () => boolean, what: string, limitMs = 15_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const at = (minute: number, text: string) =>
  `2026-01-01T00:${String(minute).padStart(2, '0')}:00.000Z stdout ${text}`;

describe('readLogs', () => {
  const dir = join(root, 'read');
  mkdirSync(dir);
  // Three files, oldest in .2; minute n carries line n.
  writeFileSync(join(dir, 'current.log.2'), `${at(1, 'one')}\n${at(2, 'two')}\n`);
  writeFileSync(
    join(dir, 'current.log.1'),
    `${at(3, 'three')}\n  a continuation without a stamp\n${at(4, 'four')}\n`,
  );
  writeFileSync(join(dir, 'current.log'), `${at(5, 'five')}\n${at(6, 'six')}`); // last line cut short

  it('reads the rotated files oldest first, then current.log', async () => {
    const lines = await collect(readLogs(dir, {}));
    expect(lines).toEqual([
      at(1, 'one'),
      at(2, 'two'),
      at(3, 'three'),
      '  a continuation without a stamp',
      at(4, 'four'),
      at(5, 'five'),
      at(6, 'six'),
    ]);
  });

  it('filters by the timestamp prefix; an unstamped line goes with the line before it', async () => {
    expect(await collect(readLogs(dir, { since: new Date('2026-01-01T00:03:00.000Z') }))).toEqual([
      at(3, 'three'),
      '  a continuation without a stamp',
      at(4, 'four'),
      at(5, 'five'),
      at(6, 'six'),
    ]);
    expect(await collect(readLogs(dir, { since: new Date('2026-01-01T00:04:30.000Z') }))).toEqual([
      at(5, 'five'),
      at(6, 'six'),
    ]);
    expect(await collect(readLogs(dir, { since: new Date('2027-01-01T00:00:00.000Z') }))).toEqual([]);
  });

  it('returns the last tailLines, after the since filter', async () => {
    expect(await collect(readLogs(dir, { tailLines: 2 }))).toEqual([at(5, 'five'), at(6, 'six')]);
    expect(await collect(readLogs(dir, { tailLines: 4 }))).toEqual([
      '  a continuation without a stamp',
      at(4, 'four'),
      at(5, 'five'),
      at(6, 'six'),
    ]);
    expect(await collect(readLogs(dir, { tailLines: 0 }))).toEqual([]);
    expect(
      await collect(readLogs(dir, { tailLines: 10, since: new Date('2026-01-01T00:02:00.000Z') })),
    ).toHaveLength(6);
  });

  it('yields nothing for a service that has no log yet', async () => {
    expect(await collect(readLogs(join(root, 'missing'), {}))).toEqual([]);
  });
});

describe('followLogs', () => {
  it('yields the tail, then new lines as they are written, across rotations', async () => {
    const dir = join(root, 'follow');
    // Each line is about 45 bytes: a rotation every few lines, several between two polls.
    const w = new LogWriter({ dir, maxBytes: 200, keepFiles: 20 });
    w.line('stdout', 'old 1');
    w.line('stdout', 'old 2');
    await w.whenDrained();
    const ac = new AbortController();
    const seen: string[] = [];
    const done = (async () => {
      for await (const line of followLogs(dir, { signal: ac.signal, tailLines: 1 })) {
        seen.push(line.slice(line.indexOf(' ') + 1));
      }
    })();
    try {
      await waitFor(() => seen.length === 1, 'the tail');
      expect(seen).toEqual(['stdout old 2']);

      w.line('stdout', 'new 1');
      await waitFor(() => seen.length === 2, 'a line written after following started');
      expect(seen[1]).toBe('stdout new 1');

      const burst = Array.from({ length: 30 }, (_, i) => `burst ${String(i).padStart(2, '0')}`);
      for (const text of burst) w.line('stdout', text);
      await waitFor(() => seen.length === 32, 'the burst across rotations');
      expect(seen.slice(2)).toEqual(burst.map((b) => `stdout ${b}`));

      w.line('stderr', 'after the burst');
      await waitFor(() => seen.length === 33, 'a line after the rotations');
      expect(seen[32]).toBe('stderr after the burst');
    } finally {
      ac.abort();
      await done;
      await w.close();
    }
  });

  it('waits for a log that does not exist yet and stops when aborted', async () => {
    const dir = join(root, 'later');
    const ac = new AbortController();
    const seen: string[] = [];
    const done = (async () => {
      for await (const line of followLogs(dir, { signal: ac.signal })) seen.push(line);
    })();
    const w = new LogWriter({ dir, maxBytes: 1 << 20, keepFiles: 1 });
    w.line('steward', 'started pid 1');
    try {
      await waitFor(() => seen.length === 1, 'the first line');
      expect(seen[0]).toMatch(/ steward started pid 1$/);
    } finally {
      ac.abort();
      await done;
      await w.close();
    }
  });
});
