import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isStewardError, type StewardError } from '../../core/errors.js';
import { currentVersion, switchCurrent } from './current.js';
import type { ReleaseLayout } from './layout.js';

const base = fs.mkdtempSync(path.join(tmpdir(), 'steward-current-'));
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));
let n = 0;

/** A layout with hand-made release dirs (installRelease has its own tests). */
function layoutWith(versions: string[], opts: { releasesDir?: string } = {}): ReleaseLayout {
  const root = path.join(base, `case-${++n}`);
  const releasesDir = opts.releasesDir ?? path.join(root, 'releases');
  for (const v of versions) {
    fs.mkdirSync(path.join(releasesDir, v), { recursive: true });
    fs.writeFileSync(path.join(releasesDir, v, 'VERSION'), v);
  }
  fs.mkdirSync(root, { recursive: true });
  return { releasesDir, current: path.join(root, 'current'), keep: 3 };
}

function thrown(fn: () => unknown): StewardError {
  try {
    fn();
  } catch (err) {
    if (isStewardError(err)) return err;
    throw err;
  }
  throw new Error('expected a StewardError');
}

/**
 * Reads the link in a tight loop until told to stop, in its own process so it truly runs while
 * this one switches. Prints 'ready' after its first read, then a JSON summary at the end.
 */
const readerScript = `
const fs = require('node:fs');
const [current, stop] = process.argv.slice(1);
let reads = 0, errors = 0, firstError = null;
const seen = new Set();
function readOnce() {
  try {
    fs.readlinkSync(current);
    seen.add(fs.readFileSync(fs.realpathSync(current) + '/VERSION', 'utf8'));
    reads++;
  } catch (err) {
    errors++;
    firstError ??= err.code;
  }
}
readOnce();
process.stdout.write('ready\\n');
while (!fs.existsSync(stop)) readOnce();
readOnce(); // one read after the last switch
process.stdout.write(JSON.stringify({ reads, errors, firstError, seen: [...seen].sort() }) + '\\n');
`;

describe('switchCurrent', () => {
  it('is atomic: a reader in another process never misses the link across 200 switches', async () => {
    const layout = layoutWith(['a', 'b']);
    switchCurrent(layout, 'a');
    const stop = path.join(base, `stop-${++n}`);
    const child = spawn(process.execPath, ['-e', readerScript, layout.current, stop], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    const ready = new Promise<void>((resolve) => {
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        if (out.includes('ready\n')) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const guard = setTimeout(() => child.kill('SIGKILL'), 15_000); // hang guard only
    try {
      await ready;
      for (let i = 0; i < 200; i++) switchCurrent(layout, i % 2 === 0 ? 'b' : 'a');
      // 200 switches end on 'a'; one more so the last state differs from the first.
      switchCurrent(layout, 'b');
      fs.writeFileSync(stop, '');
      expect(await exited).toBe(0);
    } finally {
      clearTimeout(guard);
      child.kill('SIGKILL');
    }
    const summary = JSON.parse(out.split('\n')[1] ?? '') as {
      reads: number;
      errors: number;
      firstError: string | null;
      seen: string[];
    };
    expect(summary.firstError).toBeNull();
    expect(summary.errors).toBe(0);
    expect(summary.reads).toBeGreaterThan(1);
    // It read before the first switch ('a') and after the last ('b'), so it spanned the switching.
    expect(summary.seen).toEqual(['a', 'b']);
    expect(currentVersion(layout)).toBe('b');
    expect(fs.readdirSync(path.dirname(layout.current)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('uses a relative target when releasesDir and current share a parent, else absolute', () => {
    const near = layoutWith(['1.0']);
    switchCurrent(near, '1.0');
    expect(fs.readlinkSync(near.current)).toBe(path.join('releases', '1.0'));

    const far = layoutWith(['1.0'], { releasesDir: path.join(base, `elsewhere-${++n}`, 'rel') });
    switchCurrent(far, '1.0');
    expect(fs.readlinkSync(far.current)).toBe(path.join(far.releasesDir, '1.0'));
    expect(fs.readFileSync(path.join(far.current, 'VERSION'), 'utf8')).toBe('1.0');
    expect(currentVersion(far)).toBe('1.0');
  });

  it('refuses a version that is not installed or not valid, and a current that is a real directory', () => {
    const layout = layoutWith(['1.0']);
    expect(thrown(() => switchCurrent(layout, '2.0')).code).toBe('E_NOT_FOUND');
    expect(thrown(() => switchCurrent(layout, '../releases/1.0')).code).toBe('E_USAGE');
    fs.mkdirSync(layout.current);
    expect(thrown(() => switchCurrent(layout, '1.0')).code).toBe('E_CONFLICT');
    expect(thrown(() => currentVersion(layout)).code).toBe('E_CONFLICT');
    expect(fs.statSync(layout.current).isDirectory()).toBe(true);
  });

  it('removes a temp link left by a crash between symlink and rename', () => {
    const layout = layoutWith(['1.0']);
    const leftover = `${layout.current}.tmp-1073741824-abcdef`;
    fs.symlinkSync('releases/1.0', leftover);
    switchCurrent(layout, '1.0');
    expect(fs.existsSync(leftover)).toBe(false);
  });
});

describe('currentVersion', () => {
  it('is null without a link and for a link pointing outside releasesDir', () => {
    const layout = layoutWith(['1.0']);
    expect(currentVersion(layout)).toBeNull();
    fs.symlinkSync(base, layout.current);
    expect(currentVersion(layout)).toBeNull();
  });

  it('follows a switch back and forth (rollback)', () => {
    const layout = layoutWith(['1.0', '1.1']);
    switchCurrent(layout, '1.1');
    expect(currentVersion(layout)).toBe('1.1');
    switchCurrent(layout, '1.0');
    expect(currentVersion(layout)).toBe('1.0');
  });
});
