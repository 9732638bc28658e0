import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StewardError } from './errors.js';
import { isAbortError, runShell } from './exec.js';
import { liveGroupMembers } from './proc.js';

const dir = mkdtempSync(join(tmpdir(), 'steward-exec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/** Whether any process of the group still runs (zombies excepted: see liveGroupMembers). */
function groupHasLiveMembers(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    expect((err as NodeJS.ErrnoException).code).toBe('ESRCH');
    return false;
  }
  return (liveGroupMembers(pgid) ?? [pgid]).length > 0;
}

describe('runShell', () => {
  it('returns the output tails of a successful command', async () => {
    const r = await runShell('echo hello; echo oops >&2; pwd', { cwd: dir, env: { X: '1' } });
    expect(r.exitCode).toBe(0);
    expect(r.stdoutTail).toBe(`hello\n${dir}\n`);
    expect(r.stderrTail).toBe('oops\n');
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('passes env and keeps only the tail of long output', async () => {
    const r = await runShell('echo "$FOO"; head -c 100000 /dev/zero | tr "\\0" a; echo; echo end', {
      env: { FOO: 'bar' },
    });
    expect(r.stdoutTail.length).toBeLessThanOrEqual(4096);
    expect(r.stdoutTail.endsWith('a\nend\n')).toBe(true);
    expect(r.stdoutTail).not.toContain('bar');
  });

  it('throws E_EXTERNAL with the exit code and the last stderr line', async () => {
    const err = await rejection(runShell('echo first >&2; echo "disk full" >&2; exit 3'));
    expect(err).toBeInstanceOf(StewardError);
    expect((err as StewardError).code).toBe('E_EXTERNAL');
    expect((err as StewardError).message).toBe('command exited with code 3: disk full');
  });

  it('kills the whole process group on timeout', async () => {
    const pidFile = join(dir, 'timeout.pid');
    const t0 = Date.now();
    const err = await rejection(
      runShell(`echo $$ > ${pidFile}; sleep 30 & sleep 30; wait`, { timeoutMs: 300, killGraceMs: 2000 }),
    );
    expect((err as StewardError).code).toBe('E_EXTERNAL');
    expect((err as StewardError).message).toBe('command timed out after 300 ms');
    expect(Date.now() - t0).toBeLessThan(3000);
    const pgid = Number(readFileSync(pidFile, 'utf8'));
    expect(groupHasLiveMembers(pgid)).toBe(false);
  });

  it('escalates to SIGKILL for a group that ignores SIGTERM', async () => {
    const pidFile = join(dir, 'stubborn.pid');
    const t0 = Date.now();
    const err = await rejection(
      runShell(`echo $$ > ${pidFile}; trap "" TERM; sh -c 'trap "" TERM; sleep 30' & sleep 30; wait`, {
        timeoutMs: 200,
        killGraceMs: 500,
      }),
    );
    expect((err as StewardError).code).toBe('E_EXTERNAL');
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(groupHasLiveMembers(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });

  it('throws an AbortError when its signal is aborted', async () => {
    const pidFile = join(dir, 'abort.pid');
    const ac = new AbortController();
    const p = runShell(`echo $$ > ${pidFile}; sleep 30`, { signal: ac.signal });
    setTimeout(() => ac.abort(), 200);
    const err = await rejection(p);
    expect(isAbortError(err)).toBe(true);
    expect(groupHasLiveMembers(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });

  it('does not start when the signal is already aborted', async () => {
    const err = await rejection(runShell(`touch ${join(dir, 'never')}`, { signal: AbortSignal.abort() }));
    expect(isAbortError(err)).toBe(true);
    expect(() => readFileSync(join(dir, 'never'))).toThrow();
  });
});

describe('isAbortError', () => {
  it('recognises AbortError-named errors only', () => {
    expect(isAbortError(new DOMException('x', 'AbortError'))).toBe(true);
    expect(isAbortError(new Error('x'))).toBe(false);
    expect(isAbortError('AbortError')).toBe(false);
  });
});
