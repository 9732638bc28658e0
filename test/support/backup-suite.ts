import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { type BackupBox, type BackupKey, createBackupBox, makeKey } from './backup-fixture.js';
import { tempDir } from './cli.js';

/**
 * The setup the in-process backup failure and interop tests share: a temporary base directory,
 * an age key made before the tests, and boxes (config, store, targets) closed after them.
 * Call at the top level of a test file.
 */
export function useBackupSuite(prefix: string) {
  const base = tempDir(prefix);
  const boxes: BackupBox[] = [];
  let key: BackupKey | undefined;
  beforeAll(() => {
    key = makeKey(path.join(base, 'backup.key'));
  });
  afterAll(() => {
    for (const b of boxes) b.close();
    fs.rmSync(base, { recursive: true, force: true });
  });
  const theKey = (): BackupKey => {
    if (!key) throw new Error('the backup key is made in beforeAll');
    return key;
  };
  return {
    base,
    key: theKey,
    box(name: string, backups: unknown): BackupBox {
      const b = createBackupBox(path.join(base, name), backups);
      boxes.push(b);
      return b;
    },
    encryption: () => ({ recipients: [theKey().recipient], identity_file: theKey().file }),
  };
}

export function archivesIn(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.tar.gz.age'))
    .sort();
}

export function onlyArchive(dir: string): string {
  const files = archivesIn(dir);
  expect(files).toHaveLength(1);
  return path.join(dir, files[0] as string);
}

export const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** Text that compresses, random bytes that do not, a symlink, an empty file, a nested dir. */
export function writeMixedFiles(dir: string): void {
  fs.mkdirSync(path.join(dir, 'nested/deeper'), { recursive: true });
  const lines: string[] = [];
  for (let i = 0; i < 5000; i++) {
    lines.push(`reading ${i}: temperature=${i % 37} humidity=${i % 91} status=${i % 7 ? 'ok' : 'warn'}`);
  }
  fs.writeFileSync(path.join(dir, 'readings.log'), `${lines.join('\n')}\n`);
  fs.writeFileSync(path.join(dir, 'random.bin'), randomBytes(128 * 1024));
  fs.writeFileSync(path.join(dir, 'nested/config.yaml'), 'answer: 42\nname: "ünïcode ✓"\n');
  fs.writeFileSync(path.join(dir, 'nested/deeper/empty'), '');
  fs.symlinkSync('readings.log', path.join(dir, 'current.log'));
}
