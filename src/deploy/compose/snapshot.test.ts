import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { snapshotCompose } from './snapshot.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stw-snap-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function project(): string {
  const src = path.join(root, 'src');
  if (fs.existsSync(src)) return src;
  fs.mkdirSync(path.join(src, 'sub'), { recursive: true });
  fs.writeFileSync(
    path.join(src, 'compose.yml'),
    [
      'services:',
      '  app:',
      '    image: local/busybox:1',
      '    env_file: [app.env, ../outside.env]',
      '  db:',
      '    image: local/busybox:1',
      '    env_file: ${DB_ENV}',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(
    path.join(src, 'sub/override.yml'),
    'services:\n  app:\n    env_file:\n      - path: sub/extra.env\n',
  );
  fs.writeFileSync(path.join(src, '.env'), 'SECRET=1\n', { mode: 0o600 });
  fs.writeFileSync(path.join(src, 'app.env'), 'A=1\n');
  fs.writeFileSync(path.join(src, 'sub/extra.env'), 'B=1\n');
  fs.writeFileSync(path.join(src, 'unrelated.txt'), 'not part of the deployment\n');
  fs.writeFileSync(path.join(root, 'outside.env'), 'C=1\n');
  return src;
}

function listing(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .sort();
}

describe('snapshotCompose', () => {
  it('copies the compose files, .env and the env files they name inside the project', () => {
    const src = project();
    const dest = snapshotCompose(src, ['compose.yml', 'sub/override.yml'], path.join(root, 'snaps/d1'));
    expect(dest).toBe(path.join(root, 'snaps/d1'));
    expect(listing(dest)).toEqual(['.env', 'app.env', 'compose.yml', 'sub/extra.env', 'sub/override.yml']);
    expect(fs.readFileSync(path.join(dest, 'compose.yml'), 'utf8')).toBe(
      fs.readFileSync(path.join(src, 'compose.yml'), 'utf8'),
    );
    expect(fs.statSync(path.join(dest, '.env')).mode & 0o777).toBe(0o600);
    // Nothing half-made is left next to it.
    expect(fs.readdirSync(path.join(root, 'snaps'))).toEqual(['d1']);
  });

  it('copies extra files and never overwrites a snapshot', () => {
    const src = project();
    const dest = snapshotCompose(src, ['compose.yml'], path.join(root, 'snaps/d2'), {
      extraFiles: ['unrelated.txt'],
    });
    expect(listing(dest)).toContain('unrelated.txt');
    expect(() => snapshotCompose(src, ['compose.yml'], dest)).toThrow(
      expect.objectContaining({ code: 'E_CONFLICT' }),
    );
  });

  it('refuses compose files outside the project and missing ones, leaving nothing behind', () => {
    const src = project();
    const bad = path.join(root, 'snaps/bad');
    expect(() => snapshotCompose(src, ['../outside.env'], bad)).toThrow(
      expect.objectContaining({ code: 'E_CONFIG' }),
    );
    expect(() => snapshotCompose(src, ['nope.yml'], bad)).toThrow(
      expect.objectContaining({ code: 'E_NOT_FOUND' }),
    );
    expect(fs.existsSync(bad)).toBe(false);
  });
});
