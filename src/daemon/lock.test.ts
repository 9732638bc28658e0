import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { StewardError } from '../core/errors.js';
import { readProcStat } from '../core/proc.js';
import { acquireLock, readLockHolder } from './lock.js';

const dir = mkdtempSync(join(tmpdir(), 'steward-lock-'));
const lockModule = fileURLToPath(new URL('./lock.ts', import.meta.url));
let n = 0;
const lockPath = () => join(dir, `lock-${++n}.pid`);
const children: ChildProcess[] = [];

afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  expect(r.pid).toBeGreaterThan(0);
  return r.pid;
}

/** Starts a child node process that takes the lock with the real acquireLock and sleeps. */
async function childHolding(file: string): Promise<ChildProcess> {
  const code = `import { acquireLock } from ${JSON.stringify(lockModule)};
acquireLock(${JSON.stringify(file)}, { purpose: 'child job' });
process.stdout.write('held\\n');
setTimeout(() => {}, 30000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('held')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`child exited ${code}: ${stderr}`)));
  });
  return child;
}

function catchErr(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

describe('acquireLock', () => {
  it('acquires and releases, writing a 0600 JSON file', () => {
    const file = lockPath();
    const lock = acquireLock(file, { purpose: 'daemon' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const content = JSON.parse(readFileSync(file, 'utf8'));
    expect(content).toMatchObject({ pid: process.pid, purpose: 'daemon' });
    expect(content.procStart).toBe(readProcStat(process.pid)?.startTime);
    expect(readLockHolder(file)).toMatchObject({ pid: process.pid, purpose: 'daemon', alive: true });
    lock.release();
    expect(existsSync(file)).toBe(false);
    expect(readLockHolder(file)).toBeNull();
    lock.release(); // idempotent
    acquireLock(file, { purpose: 'again' }).release();
  });

  it('refuses a second acquire while this process holds it', () => {
    const file = lockPath();
    const lock = acquireLock(file, { purpose: 'daemon' });
    const err = catchErr(() => acquireLock(file, { purpose: 'restore' }));
    expect((err as StewardError).code).toBe('E_LOCKED');
    lock.release();
  });

  it('throws E_LOCKED naming another live process that holds it', async () => {
    const file = lockPath();
    const child = await childHolding(file);
    const err = catchErr(() => acquireLock(file, { purpose: 'daemon' }));
    expect(err).toBeInstanceOf(StewardError);
    expect((err as StewardError).code).toBe('E_LOCKED');
    expect((err as StewardError).message).toMatch(
      new RegExp(`^daemon is locked by PID ${child.pid} \\(child job, since \\d{4}-\\d\\d-\\d\\dT.*Z\\)$`),
    );
    expect((err as StewardError).hint).toMatch(/stop that process first/);
    expect(readLockHolder(file)).toMatchObject({ pid: child.pid, purpose: 'child job', alive: true });

    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(readLockHolder(file)?.alive).toBe(false);
    const lock = acquireLock(file, { purpose: 'daemon' });
    expect(readLockHolder(file)).toMatchObject({ pid: process.pid, alive: true });
    lock.release();
  });

  it('takes over a lock whose process is dead', () => {
    const file = lockPath();
    const pid = deadPid();
    writeFileSync(
      file,
      JSON.stringify({ pid, purpose: 'old', acquiredAt: '2020-01-01T00:00:00.000Z', procStart: '1' }),
    );
    expect(readLockHolder(file)).toMatchObject({ pid, alive: false });
    const lock = acquireLock(file, { purpose: 'daemon' });
    expect(readLockHolder(file)).toMatchObject({ pid: process.pid, purpose: 'daemon' });
    lock.release();
  });

  it('takes over a lock whose pid was reused by another process', () => {
    const file = lockPath();
    // Our own pid, but a start time that is not ours: a different process that once had this pid.
    const stale = { pid: process.pid, purpose: 'before reboot', acquiredAt: '2020-01-01T00:00:00.000Z' };
    writeFileSync(file, JSON.stringify({ ...stale, procStart: '42' }));
    expect(readLockHolder(file)?.alive).toBe(false);
    acquireLock(file, { purpose: 'daemon' }).release();
  });

  it('treats garbage content as stale', () => {
    for (const garbage of ['', 'not json', '{"pid": "x"}', '[]']) {
      const file = lockPath();
      writeFileSync(file, garbage);
      expect(readLockHolder(file)).toBeNull();
      const lock = acquireLock(file, { purpose: 'daemon' });
      expect(readLockHolder(file)?.pid).toBe(process.pid);
      lock.release();
    }
  });

  it('release leaves a lock that is no longer ours', () => {
    const file = lockPath();
    const lock = acquireLock(file, { purpose: 'daemon' });
    const other = JSON.stringify({ pid: 1, purpose: 'x', acquiredAt: 'y', procStart: null });
    writeFileSync(file, other);
    lock.release();
    expect(readFileSync(file, 'utf8')).toBe(other);
  });
});
