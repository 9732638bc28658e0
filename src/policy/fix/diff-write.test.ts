import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type FileFix, unifiedDiff, writeFixes } from './index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tmpDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steward-diff-'));
  dirs.push(dir);
  return dir;
}

/** Applies the diff with the system's GNU patch and returns the patched file: the proof it is valid. */
function patched(before: string, diff: string): string {
  const dir = tmpDir();
  fs.mkdirSync(path.join(dir, 'deploy'));
  fs.writeFileSync(path.join(dir, 'deploy/compose.yaml'), before);
  execFileSync('/usr/bin/patch', ['-p1', '--quiet', '--batch'], { cwd: dir, input: diff });
  return fs.readFileSync(path.join(dir, 'deploy/compose.yaml'), 'utf8');
}

const fix = (before: string, after: string): FileFix => ({
  file: 'deploy/compose.yaml',
  before,
  after,
  applied: [],
});
const lines = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}\n`).join('');

describe('unifiedDiff', () => {
  it('prints diff -u hunks with 3 lines of context, merging close changes', () => {
    const before = lines(1, 20);
    const after = `${lines(1, 4)}new a\n${lines(5, 9)}new b\n${lines(10, 17)}${lines(19, 20)}`;
    const expected = [
      '--- a/deploy/compose.yaml',
      '+++ b/deploy/compose.yaml',
      '@@ -2,11 +2,13 @@',
      ' line 2',
      ' line 3',
      ' line 4',
      '+new a',
      ' line 5',
      ' line 6',
      ' line 7',
      ' line 8',
      ' line 9',
      '+new b',
      ' line 10',
      ' line 11',
      ' line 12',
      '@@ -15,6 +17,5 @@',
      ' line 15',
      ' line 16',
      ' line 17',
      '-line 18',
      ' line 19',
      ' line 20',
      '',
    ].join('\n');
    expect(unifiedDiff(fix(before, after))).toBe(expected);
    expect(patched(before, expected)).toBe(after);
  });

  it('marks a missing final newline and writes one-line and empty ranges the way diff -u does', () => {
    const diff = unifiedDiff(fix('a\nb', 'a\nb\nc'));
    expect(diff).toBe(
      '--- a/deploy/compose.yaml\n+++ b/deploy/compose.yaml\n@@ -1,2 +1,3 @@\n a\n-b\n\\ No newline at end of file\n+b\n+c\n\\ No newline at end of file\n',
    );
    expect(patched('a\nb', diff)).toBe('a\nb\nc');
    expect(unifiedDiff(fix('x\n', 'y\n'))).toContain('@@ -1 +1 @@\n-x\n+y\n');
    expect(unifiedDiff(fix('', 'y\n'))).toContain('@@ -0,0 +1 @@\n+y\n');
    expect(unifiedDiff(fix('same\n', 'same\n'))).toBe('');
  });

  it('is a valid patch for any before/after (CRLF included)', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const words = ['a', 'b', 'c', '  - x', 'key: v', ''];
    const text = () => {
      const eol = random(4) === 0 ? '\r\n' : '\n';
      const body = Array.from({ length: random(25) }, () => words[random(words.length)]).join(eol);
      return random(3) === 0 ? body : body + eol;
    };
    for (let i = 0; i < 40; i++) {
      const before = text();
      const after = random(2) === 0 ? text() : `${before.replace(/b/g, 'B')}tail\n`;
      if (before === after) continue;
      expect(patched(before, unifiedDiff(fix(before, after)))).toBe(after);
    }
  });
});

describe('writeFixes', () => {
  it('replaces the file atomically, keeping its mode, and leaves no temp file', () => {
    const dir = tmpDir();
    const file = path.join(dir, 'compose.yaml');
    fs.writeFileSync(file, 'services: {}\n');
    fs.chmodSync(file, 0o640);
    writeFixes([{ file, before: 'services: {}\n', after: 'services: {} # fixed\n', applied: [] }]);
    expect(fs.readFileSync(file, 'utf8')).toBe('services: {} # fixed\n');
    expect(fs.statSync(file).mode & 0o777).toBe(0o640);
    expect(fs.readdirSync(dir)).toEqual(['compose.yaml']);
  });

  it('writes nothing when a file changed since the plan', () => {
    const dir = tmpDir();
    const a = path.join(dir, 'a.yaml');
    const b = path.join(dir, 'b.yaml');
    fs.writeFileSync(a, 'a\n');
    fs.writeFileSync(b, 'edited meanwhile\n');
    expect(() =>
      writeFixes([
        { file: a, before: 'a\n', after: 'A\n', applied: [] },
        { file: b, before: 'b\n', after: 'B\n', applied: [] },
      ]),
    ).toThrow(/changed since/);
    expect(fs.readFileSync(a, 'utf8')).toBe('a\n');
  });
});
