import { chownSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replaceFile } from './write-file.js';

const dir = mkdtempSync(join(tmpdir(), 'stw-mqwrite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('replaceFile', () => {
  it('writes with the mode asked for and leaves no temp file', () => {
    const file = join(dir, 'a');
    replaceFile(file, 'one\n', 0o640);
    replaceFile(file, 'two\n', 0o640);
    expect(readFileSync(file, 'utf8')).toBe('two\n');
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['a']);
  });

  // As root (the case it exists for: a file owned by the broker user) another user's ids; otherwise
  // one's own uid and the last supplementary group, the only change a non-root user may make.
  it('keeps the owner and group of the file it replaces', () => {
    const root = process.getuid?.() === 0;
    const [uid, gid] = root ? [4321, 4322] : [process.getuid?.() ?? 0, process.getgroups?.().at(-1) ?? 0];
    const file = join(dir, 'owned');
    writeFileSync(file, 'old\n');
    chownSync(file, uid, gid);
    const inode = statSync(file).ino;
    replaceFile(file, 'new\n', 0o640);
    const st = statSync(file);
    expect(st.ino).not.toBe(inode); // replaced, not rewritten in place
    expect([st.uid, st.gid]).toEqual([uid, gid]);
  });
});
