import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isStewardError } from '../../core/errors.js';
import { switchCurrent } from './current.js';
import type { ReleaseLayout } from './layout.js';
import { listReleases, pruneReleases } from './list.js';

const base = fs.mkdtempSync(path.join(tmpdir(), 'steward-prune-'));
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));
let n = 0;

/** Releases r1..rN with mtimes one hour apart, r1 the oldest: order is explicit, not timing. */
function layoutWith(count: number, keep: number): ReleaseLayout {
  const root = path.join(base, `case-${++n}`);
  const releasesDir = path.join(root, 'releases');
  const t0 = Date.UTC(2024, 0, 1);
  for (let i = 1; i <= count; i++) {
    const dir = path.join(releasesDir, `r${i}`);
    fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'sub', 'f'), `r${i}`);
    const t = new Date(t0 + i * 3_600_000);
    fs.utimesSync(dir, t, t);
  }
  return { releasesDir, current: path.join(root, 'current'), keep };
}

const versions = (layout: ReleaseLayout) => listReleases(layout).map((r) => r.version);

describe('listReleases', () => {
  it('lists newest first, marks the current one, and skips staging and foreign entries', () => {
    const layout = layoutWith(3, 3);
    fs.mkdirSync(path.join(layout.releasesDir, '.tmp-r9-1-abc'));
    fs.writeFileSync(path.join(layout.releasesDir, 'stray-file'), '');
    switchCurrent(layout, 'r2');
    const list = listReleases(layout);
    expect(list.map((r) => [r.version, r.current])).toEqual([
      ['r3', false],
      ['r2', true],
      ['r1', false],
    ]);
    expect(list[0]?.path).toBe(path.join(layout.releasesDir, 'r3'));
    expect(list[0]?.mtime).toBeInstanceOf(Date);
  });

  it('is empty when releasesDir does not exist', () => {
    expect(
      listReleases({ releasesDir: path.join(base, 'none'), current: path.join(base, 'c'), keep: 1 }),
    ).toEqual([]);
  });
});

describe('pruneReleases', () => {
  it('keeps the newest `keep` releases', () => {
    const layout = layoutWith(5, 2);
    switchCurrent(layout, 'r5');
    expect(pruneReleases(layout).sort()).toEqual(['r1', 'r2', 'r3']);
    expect(versions(layout)).toEqual(['r5', 'r4']);
    expect(fs.readdirSync(layout.releasesDir).sort()).toEqual(['r4', 'r5']);
  });

  it('never removes the current release, even when it is the oldest', () => {
    const layout = layoutWith(4, 2);
    switchCurrent(layout, 'r1');
    expect(pruneReleases(layout).sort()).toEqual(['r2']);
    expect(versions(layout)).toEqual(['r4', 'r3', 'r1']);
    expect(fs.readFileSync(path.join(layout.current, 'sub', 'f'), 'utf8')).toBe('r1');
  });

  it('keeps protected releases (the previous Live, for rollback)', () => {
    const layout = layoutWith(4, 1);
    switchCurrent(layout, 'r4');
    expect(pruneReleases(layout, ['r2']).sort()).toEqual(['r1', 'r3']);
    expect(versions(layout)).toEqual(['r4', 'r2']);
  });

  it('with keep 0 leaves only the current one; a second prune removes nothing', () => {
    const layout = layoutWith(3, 0);
    switchCurrent(layout, 'r2');
    expect(pruneReleases(layout).sort()).toEqual(['r1', 'r3']);
    expect(pruneReleases(layout)).toEqual([]);
    expect(versions(layout)).toEqual(['r2']);
    expect(fs.readdirSync(layout.releasesDir)).toEqual(['r2']);
  });

  it('rejects a negative or fractional keep', () => {
    for (const keep of [-1, 1.5]) {
      let caught: unknown;
      try {
        pruneReleases(layoutWith(1, keep));
      } catch (err) {
        caught = err;
      }
      expect(isStewardError(caught) && caught.code).toBe('E_USAGE');
    }
  });
});
