import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { LogWriter } from './log-writer.js';

const root = mkdtempSync(join(tmpdir(), 'steward-logwriter-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let seq = 0;
const freshDir = () => join(root, `d${++seq}`, 'logs');

describe('LogWriter', () => {
  it('stamps each line and joins partial writes per stream until their newline', async () => {
    const dir = freshDir();
    const clock = new ManualClock('2026-03-01T10:00:00.000Z');
    const w = new LogWriter({ dir, maxBytes: 1 << 20, keepFiles: 2, clock });
    w.chunk('stdout', Buffer.from('hel'));
    w.chunk('stderr', Buffer.from('warn'));
    clock.advance(1500);
    w.chunk('stdout', Buffer.from('lo\nwor'));
    w.chunk('stderr', Buffer.from('ing\n'));
    w.line('steward', 'started pid 7');
    w.chunk('stdout', Buffer.from('ld'));
    w.flush('stdout');
    w.flush('stderr'); // nothing pending: writes nothing
    await w.close();
    expect(readFileSync(join(dir, 'current.log'), 'utf8')).toBe(
      [
        '2026-03-01T10:00:01.500Z stdout hello',
        '2026-03-01T10:00:01.500Z stderr warning',
        '2026-03-01T10:00:01.500Z steward started pid 7',
        '2026-03-01T10:00:01.500Z stdout world',
        '',
      ].join('\n'),
    );
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'current.log')).mode & 0o777).toBe(0o600);
  });

  it('cuts a line that never ends into bounded pieces', async () => {
    const dir = freshDir();
    const w = new LogWriter({ dir, maxBytes: 1 << 20, keepFiles: 1 });
    w.chunk('stdout', Buffer.alloc(150 * 1024, 'a'));
    await w.close();
    const lines = readFileSync(join(dir, 'current.log'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => l.split(' ')[2]?.length)).toEqual([65536, 65536, 150 * 1024 - 2 * 65536]);
  });

  it('rotates by size, keeps keepFiles rotated files and removes older ones', async () => {
    const dir = freshDir();
    const first = new LogWriter({ dir, maxBytes: 200, keepFiles: 3 });
    await first.close();
    writeFileSync(join(dir, 'current.log.7'), 'left over from a larger keepLogFiles\n');
    const w = new LogWriter({ dir, maxBytes: 200, keepFiles: 3 });
    for (let i = 0; i < 40; i++) w.line('stdout', `line ${String(i).padStart(2, '0')}`);
    await w.close();
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['current.log', 'current.log.1', 'current.log.2', 'current.log.3']);
    for (const f of files) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(200);
    for (const f of files) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
    const text = ['current.log.3', 'current.log.2', 'current.log.1', 'current.log']
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('');
    const numbers = [...text.matchAll(/stdout line (\d+)/g)].map((m) => Number(m[1]));
    expect(numbers.at(-1)).toBe(39);
    expect(numbers).toEqual(numbers.map((_, i) => (numbers[0] ?? 0) + i));
  });

  it('after close() every line is on disk, also what a rotated-away stream was still writing', async () => {
    const dir = freshDir();
    const w = new LogWriter({ dir, maxBytes: 1000, keepFiles: 2 });
    // One big line still being written when the next line rotates it away (the write of 64 MiB
    // takes far longer than the small line's): close() must wait for it too.
    const big = Buffer.alloc(64 * 1024 * 1024, 'b');
    w.line('stdout', big);
    w.line('stdout', 'small');
    await w.close();
    expect(statSync(join(dir, 'current.log.1')).size).toBe(big.length + 33); // '<ISO time> stdout ' and the newline
    expect(readFileSync(join(dir, 'current.log'), 'utf8')).toMatch(/ stdout small\n$/);
  });

  it('counts what an earlier run left in current.log towards the limit', async () => {
    const dir = freshDir();
    const a = new LogWriter({ dir, maxBytes: 100, keepFiles: 1 });
    a.line('stdout', 'x'.repeat(60));
    await a.close();
    const b = new LogWriter({ dir, maxBytes: 100, keepFiles: 1 });
    b.line('stdout', 'y'.repeat(60));
    await b.close();
    expect(readFileSync(join(dir, 'current.log.1'), 'utf8')).toContain('x'.repeat(60));
    expect(readFileSync(join(dir, 'current.log'), 'utf8')).toContain('y'.repeat(60));
  });
});
